package io.meshfed.federation.catalog;

import com.hazelcast.aggregation.Aggregator;
import java.util.Map;

/**
 * Computes the per-bucket digests of the catalog where the data lives: each member sums its own partitions and
 * the caller receives only {@link Digests#BUCKETS} longs.
 */
final class BucketDigest implements Aggregator<Map.Entry<EntryKey, CatalogEntry>, long[]> {

  private static final long serialVersionUID = 1L;

  private long[] sums = new long[Digests.BUCKETS];

  @Override
  public void accumulate(Map.Entry<EntryKey, CatalogEntry> entry) {
    EntryKey key = entry.getKey();
    CatalogEntry value = entry.getValue();
    sums[Digests.bucket(key)] += Digests.mix(key, value.epoch(), value.revision());
  }

  @Override
  public void combine(Aggregator aggregator) {
    long[] other = ((BucketDigest) aggregator).sums;
    for (int i = 0; i < sums.length; i++) {
      sums[i] += other[i];
    }
  }

  @Override
  public long[] aggregate() {
    return sums.clone();
  }
}
