package io.meshfed.federation.catalog;

import com.hazelcast.map.EntryProcessor;
import java.util.Map;

/**
 * Writes an entry only over an older (epoch, revision): runs on the key's partition thread, so the check and the
 * write are one step and a stale writer (an old replica, a restarted member's previous epoch) cannot overwrite newer
 * state.
 */
record FencedPut(CatalogEntry entry) implements EntryProcessor<EntryKey, CatalogEntry, WriteOutcome> {

  @Override
  public WriteOutcome process(Map.Entry<EntryKey, CatalogEntry> current) {
    CatalogEntry existing = current.getValue();
    if (existing == null || entry.newerThan(existing)) {
      current.setValue(entry);
      return WriteOutcome.APPLIED;
    }
    return existing.epoch() > entry.epoch() ? WriteOutcome.FENCED : WriteOutcome.SUPERSEDED;
  }
}
