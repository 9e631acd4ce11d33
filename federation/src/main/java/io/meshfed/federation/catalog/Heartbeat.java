package io.meshfed.federation.catalog;

import com.hazelcast.map.EntryProcessor;
import java.util.Map;

/**
 * Renews a cluster's lease, optionally updating what it says about itself; refused (returns false) when another
 * epoch owns the record, which tells the caller it has been fenced.
 *
 * @param info the new self-description, or null to keep the stored one
 * @param republished true once this epoch's full set is written (never cleared by a heartbeat)
 */
record Heartbeat(long epoch, long nowMillis, ClusterInfo info, boolean republished)
    implements EntryProcessor<String, ClusterRecord, Boolean> {

  @Override
  public Boolean process(Map.Entry<String, ClusterRecord> current) {
    ClusterRecord existing = current.getValue();
    if (existing == null || existing.epoch() != epoch) {
      return false;
    }
    current.setValue(new ClusterRecord(info != null ? info : existing.info(), existing.publisher(), epoch,
        Math.max(existing.heartbeatMillis(), nowMillis), existing.republished() || republished));
    return true;
  }
}
