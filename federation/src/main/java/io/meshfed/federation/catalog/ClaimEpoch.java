package io.meshfed.federation.catalog;

import com.hazelcast.map.EntryProcessor;
import java.util.Map;

/**
 * Claims the next epoch of a cluster's record and returns it. The epoch is at least the claim's wall-clock time, so
 * epochs keep rising even after the whole Hazelcast cluster (and the record) was lost and rebuilt.
 */
record ClaimEpoch(ClusterInfo info, String publisher, long nowMillis)
    implements EntryProcessor<String, ClusterRecord, Long> {

  @Override
  public Long process(Map.Entry<String, ClusterRecord> current) {
    ClusterRecord existing = current.getValue();
    long epoch = Math.max(existing == null ? 0 : existing.epoch() + 1, nowMillis);
    current.setValue(new ClusterRecord(info, publisher, epoch, nowMillis, false));
    return epoch;
  }
}
