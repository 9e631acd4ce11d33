package io.meshfed.federation.catalog;

import com.hazelcast.map.EntryProcessor;
import java.util.Map;

/**
 * {@link FencedPut} for many keys of one partition in one operation: a bulk publish (a cluster's first full set, a
 * rotated client's resync) sends one operation per partition instead of one per service. Each key is fenced on its
 * own.
 */
record FencedPutAll(Map<EntryKey, CatalogEntry> entries)
    implements EntryProcessor<EntryKey, CatalogEntry, WriteOutcome> {

  @Override
  public WriteOutcome process(Map.Entry<EntryKey, CatalogEntry> current) {
    CatalogEntry entry = entries.get(current.getKey());
    return entry == null ? WriteOutcome.SUPERSEDED : new FencedPut(entry).process(current);
  }
}
