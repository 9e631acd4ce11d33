package io.meshfed.gateway.l7.balancing;

import io.meshfed.gateway.l7.cluster.Host;
import java.util.Arrays;

/**
 * Envoy's RING_HASH ("ketama"): every host gets ring entries in proportion to its weight, at
 * {@code xxHash64("<ip:port>_<i>")}; a request hash is served by the first entry at or after it, wrapping around.
 */
public final class RingHash {

  private final long[] hashes;
  private final Host[] owners;

  private RingHash(long[] hashes, Host[] owners) {
    this.hashes = hashes;
    this.owners = owners;
  }

  /** Builds a ring over {@code hosts} with between {@code minSize} and {@code maxSize} entries. */
  public static RingHash build(Host[] hosts, long minSize, long maxSize) {
    if (hosts.length == 0) {
      return new RingHash(new long[0], new Host[0]);
    }
    long totalWeight = 0;
    int minWeight = Integer.MAX_VALUE;
    for (Host host : hosts) {
      totalWeight += host.weight();
      minWeight = Math.min(minWeight, host.weight());
    }
    // Envoy scales so the lightest host gets at least one entry and the ring is at least minSize.
    double scale = Math.min(Math.ceil(Math.max(minSize, (double) totalWeight / minWeight) / totalWeight)
        * totalWeight, maxSize) / totalWeight;
    int size = 0;
    int[] counts = new int[hosts.length];
    for (int i = 0; i < hosts.length; i++) {
      counts[i] = (int) Math.max(1, Math.round(hosts[i].weight() * scale));
      size += counts[i];
    }
    long[] entryHashes = new long[size];
    Host[] entryOwners = new Host[size];
    int at = 0;
    for (int i = 0; i < hosts.length; i++) {
      String base = hosts[i].hostPort() + "_";
      for (int j = 0; j < counts[i]; j++) {
        entryHashes[at] = XxHash64.hash(base + j);
        entryOwners[at] = hosts[i];
        at++;
      }
    }
    Integer[] index = new Integer[size];
    for (int i = 0; i < size; i++) {
      index[i] = i;
    }
    Arrays.sort(index, (a, b) -> Long.compareUnsigned(entryHashes[a], entryHashes[b]));
    long[] sortedHashes = new long[size];
    Host[] sortedOwners = new Host[size];
    for (int i = 0; i < size; i++) {
      sortedHashes[i] = entryHashes[index[i]];
      sortedOwners[i] = entryOwners[index[i]];
    }
    return new RingHash(sortedHashes, sortedOwners);
  }

  /** The host for {@code hash}, or null for an empty ring. */
  public Host pick(long hash) {
    if (hashes.length == 0) {
      return null;
    }
    int low = 0;
    int high = hashes.length - 1;
    if (Long.compareUnsigned(hash, hashes[high]) > 0) {
      return owners[0];
    }
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (Long.compareUnsigned(hashes[mid], hash) < 0) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return owners[low];
  }

  /** Entries on the ring. */
  public int size() {
    return hashes.length;
  }
}
