package io.meshfed.federation.catalog;

import com.hazelcast.query.Predicate;
import java.util.Map;

/**
 * Entries of one cluster written by an epoch older than {@code epoch}: what a new epoch clears once it has written
 * its own set, and what a withdrawal purges (with the withdrawn epoch + 1, so a publisher that came back with a new
 * epoch in the meantime keeps its entries).
 */
final class OwnedBefore implements Predicate<EntryKey, CatalogEntry> {

  private static final long serialVersionUID = 1L;

  private final String clusterId;
  private final long epoch;

  OwnedBefore(String clusterId, long epoch) {
    this.clusterId = clusterId;
    this.epoch = epoch;
  }

  @Override
  public boolean apply(Map.Entry<EntryKey, CatalogEntry> entry) {
    return entry.getKey().clusterId().equals(clusterId) && entry.getValue().epoch() < epoch;
  }
}
