package io.meshfed.federation.catalog;

/**
 * The anti-entropy digest: keys fall into fixed buckets by {@link EntryKey#stableHash}; a bucket's digest is the
 * sum of a 64-bit mix of (key, epoch, revision) over its keys. A sum is independent of iteration order, so the
 * catalog (summed where the data lives) and a member's view (summed locally) agree exactly when they hold the same
 * versions.
 */
final class Digests {

  static final int BUCKETS = 128;

  private Digests() {
  }

  static int bucket(EntryKey key) {
    return Math.floorMod(key.stableHash(), BUCKETS);
  }

  static long mix(EntryKey key, long epoch, long revision) {
    long h = key.stableHash() * 0x9E3779B97F4A7C15L;
    h = splitMix(h ^ epoch);
    return splitMix(h ^ revision);
  }

  // SplitMix64's finaliser: a cheap, well-distributed 64-bit mix.
  private static long splitMix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
