package io.meshfed.federation.catalog;

import com.hazelcast.query.Predicate;
import java.util.BitSet;
import java.util.Map;

/** Selects the catalog entries of some anti-entropy buckets (evaluated on the members that hold them). */
final class InBuckets implements Predicate<EntryKey, CatalogEntry> {

  private static final long serialVersionUID = 1L;

  private final BitSet buckets;

  InBuckets(BitSet buckets) {
    this.buckets = (BitSet) buckets.clone();
  }

  @Override
  public boolean apply(Map.Entry<EntryKey, CatalogEntry> entry) {
    return buckets.get(Digests.bucket(entry.getKey()));
  }
}
