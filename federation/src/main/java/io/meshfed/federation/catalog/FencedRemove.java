package io.meshfed.federation.catalog;

import com.hazelcast.map.EntryProcessor;
import java.io.Serializable;
import java.util.Map;

/** Removes an entry unless a newer epoch owns it (then the remover is the stale one). */
record FencedRemove(long epoch) implements EntryProcessor<EntryKey, CatalogEntry, WriteOutcome>, Serializable {

  @Override
  public WriteOutcome process(Map.Entry<EntryKey, CatalogEntry> current) {
    CatalogEntry existing = current.getValue();
    if (existing == null) {
      return WriteOutcome.APPLIED;
    }
    if (existing.epoch() > epoch) {
      return WriteOutcome.FENCED;
    }
    current.setValue(null);
    return WriteOutcome.APPLIED;
  }
}
