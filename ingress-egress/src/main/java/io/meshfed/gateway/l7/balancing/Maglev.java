package io.meshfed.gateway.l7.balancing;

import io.meshfed.gateway.l7.cluster.Host;

/**
 * Envoy's MAGLEV: the lookup table of Google's Maglev paper (NSDI'16, section 3.4) with Envoy's weighting — each
 * host fills its preferred slots in turn, hosts with more weight taking turns more often.
 */
public final class Maglev {

  private final Host[] table;

  private Maglev(Host[] table) {
    this.table = table;
  }

  /** Builds a table of {@code size} slots (a prime) over {@code hosts}. */
  public static Maglev build(Host[] hosts, long size) {
    int m = (int) size;
    Host[] table = new Host[m];
    if (hosts.length == 0) {
      return new Maglev(new Host[0]);
    }
    int n = hosts.length;
    long[] offset = new long[n];
    long[] skip = new long[n];
    long[] next = new long[n];
    double[] credit = new double[n];
    double[] weight = new double[n];
    int maxWeight = 1;
    for (Host host : hosts) {
      maxWeight = Math.max(maxWeight, host.weight());
    }
    for (int i = 0; i < n; i++) {
      String name = hosts[i].hostPort();
      offset[i] = Long.remainderUnsigned(XxHash64.hash(name), m);
      skip[i] = Long.remainderUnsigned(XxHash64.hash(name + "#skip"), m - 1) + 1;
      weight[i] = (double) hosts[i].weight() / maxWeight;
    }
    int filled = 0;
    while (filled < m) {
      for (int i = 0; i < n && filled < m; i++) {
        credit[i] += weight[i];
        if (credit[i] < 1.0) {
          continue;
        }
        credit[i] -= 1.0;
        int slot;
        do {
          slot = (int) ((offset[i] + next[i] * skip[i]) % m);
          next[i]++;
        } while (table[slot] != null);
        table[slot] = hosts[i];
        filled++;
      }
    }
    return new Maglev(table);
  }

  /** The host for {@code hash}, or null for an empty table. */
  public Host pick(long hash) {
    return table.length == 0 ? null : table[(int) Long.remainderUnsigned(hash, table.length)];
  }
}
