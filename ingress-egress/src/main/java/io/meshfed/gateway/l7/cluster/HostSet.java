package io.meshfed.gateway.l7.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * An immutable view of a cluster's hosts, by priority and locality, with the healthy subsets and the priority load
 * precomputed. A new view is published whenever endpoints, DNS results or outlier ejections change.
 *
 * <p>Priority load follows Envoy's "Priority levels" (load_balancing/priority): each priority's health is
 * {@code min(100, overprovisioning × healthy / total)}; priorities take load in order until 100% is assigned; when
 * the total health is below 100% the loads are normalised. A priority whose healthy share is below the panic
 * threshold balances over all of its hosts (panic mode).
 */
public final class HostSet {

  private final List<Host> all;
  private final List<PriorityHosts> priorities;
  private final double[] cumulativeLoad;

  /** The hosts of one priority. */
  public static final class PriorityHosts {
    private final int priority;
    private final Host[] hosts;
    private final Host[] healthy;
    private final boolean panic;
    private final List<LocalityHosts> localities;
    private final double[] localityCumulative;
    private final Object[] hashTables = new Object[2];

    PriorityHosts(int priority, Host[] hosts, Host[] healthy, boolean panic, List<LocalityHosts> localities,
                  double[] localityCumulative) {
      this.priority = priority;
      this.hosts = hosts;
      this.healthy = healthy;
      this.panic = panic;
      this.localities = localities;
      this.localityCumulative = localityCumulative;
    }

    /** The priority number. */
    public int priority() {
      return priority;
    }

    /** The hosts to balance over: the healthy ones, or all of them in panic mode. */
    public Host[] candidates() {
      return panic ? hosts : healthy;
    }

    /** True in panic mode. */
    public boolean panic() {
      return panic;
    }

    /** Localities, for locality-weighted balancing (empty when the cluster is not locality weighted). */
    public List<LocalityHosts> localities() {
      return localities;
    }

    /** Picks a locality by effective weight, or null when none has eligible hosts. */
    public LocalityHosts pickLocality() {
      if (localities.isEmpty() || localityCumulative[localityCumulative.length - 1] <= 0) {
        return null;
      }
      double draw = ThreadLocalRandom.current().nextDouble() * localityCumulative[localityCumulative.length - 1];
      for (int i = 0; i < localityCumulative.length; i++) {
        if (draw < localityCumulative[i]) {
          return localities.get(i);
        }
      }
      return localities.get(localities.size() - 1);
    }

    /**
     * A lazily built structure derived from {@link #candidates()} (a hash ring or Maglev table), built at most a
     * few times per view: a benign race may build it twice, both results are equal and immutable.
     */
    @SuppressWarnings("unchecked")
    public <T> T derived(int slot, Function<Host[], T> builder) {
      Object table = hashTables[slot];
      if (table == null) {
        table = builder.apply(candidates());
        hashTables[slot] = table;
      }
      return (T) table;
    }
  }

  /**
   * The hosts of one locality within a priority.
   *
   * @param locality the locality
   * @param weight its configured weight
   * @param candidates the hosts to balance over in it
   */
  public record LocalityHosts(Locality locality, int weight, Host[] candidates) {
  }

  HostSet(List<Host> all, List<PriorityHosts> priorities, double[] cumulativeLoad) {
    this.all = all;
    this.priorities = priorities;
    this.cumulativeLoad = cumulativeLoad;
  }

  /** Every host, every priority. */
  public List<Host> all() {
    return all;
  }

  /** The priorities in order. */
  public List<PriorityHosts> priorities() {
    return priorities;
  }

  /** True when the cluster has no host at all. */
  public boolean isEmpty() {
    return all.isEmpty();
  }

  /** Picks a priority by load, or null when there are no hosts. */
  public PriorityHosts pickPriority() {
    if (priorities.isEmpty()) {
      return null;
    }
    if (priorities.size() == 1) {
      return priorities.get(0);
    }
    double draw = ThreadLocalRandom.current().nextDouble() * 100;
    for (int i = 0; i < cumulativeLoad.length; i++) {
      if (draw < cumulativeLoad[i]) {
        return priorities.get(i);
      }
    }
    return priorities.get(0);
  }

  /** The load share (0..100) of each priority, for tests and diagnostics. */
  public double[] priorityLoad() {
    double[] load = new double[cumulativeLoad.length];
    double previous = 0;
    for (int i = 0; i < load.length; i++) {
      load[i] = cumulativeLoad[i] - previous;
      previous = cumulativeLoad[i];
    }
    return load;
  }

  /**
   * Builds a view of {@code hosts} (already grouped by priority and locality).
   *
   * @param groups priority → localities → hosts
   * @param overprovisioning Envoy's overprovisioning factor (1.4)
   * @param panicThresholdPercent the healthy share below which a priority balances over all hosts
   * @param localityWeighted whether localities are picked by weight first
   */
  static HostSet build(List<List<LocalityInput>> groups, double overprovisioning, int panicThresholdPercent,
                       boolean localityWeighted) {
    List<Host> all = new ArrayList<>();
    List<PriorityHosts> priorities = new ArrayList<>();
    List<Double> health = new ArrayList<>();
    for (int p = 0; p < groups.size(); p++) {
      List<Host> hosts = new ArrayList<>();
      List<Host> healthy = new ArrayList<>();
      List<LocalityHosts> localities = new ArrayList<>();
      List<Double> localityWeights = new ArrayList<>();
      for (LocalityInput locality : groups.get(p)) {
        List<Host> localHealthy = new ArrayList<>();
        for (Host host : locality.hosts) {
          hosts.add(host);
          if (host.healthy()) {
            healthy.add(host);
            localHealthy.add(host);
          }
        }
        if (localityWeighted && locality.weight > 0 && !locality.hosts.isEmpty()) {
          // Envoy: effective weight = weight × locality availability (overprovisioned, capped at 1).
          double availability = Math.min(1.0, overprovisioning * localHealthy.size() / locality.hosts.size());
          Host[] candidates = (localHealthy.isEmpty() ? locality.hosts : localHealthy).toArray(new Host[0]);
          localities.add(new LocalityHosts(locality.locality, locality.weight, candidates));
          localityWeights.add(locality.weight * (localHealthy.isEmpty() ? 0.0 : availability));
        }
      }
      all.addAll(hosts);
      double healthyShare = hosts.isEmpty() ? 0 : 100.0 * healthy.size() / hosts.size();
      boolean panic = healthyShare < panicThresholdPercent || healthy.isEmpty();
      health.add(hosts.isEmpty() ? 0 : Math.min(100.0, overprovisioning * healthyShare));
      double[] localityCumulative = new double[localityWeights.size()];
      double sum = 0;
      for (int i = 0; i < localityCumulative.length; i++) {
        sum += localityWeights.get(i);
        localityCumulative[i] = sum;
      }
      priorities.add(new PriorityHosts(p, hosts.toArray(new Host[0]), healthy.toArray(new Host[0]), panic,
          List.copyOf(localities), localityCumulative));
    }
    return new HostSet(List.copyOf(all), List.copyOf(priorities), cumulativeLoad(health));
  }

  private static double[] cumulativeLoad(List<Double> health) {
    double[] load = new double[health.size()];
    double total = 0;
    for (double h : health) {
      total += h;
    }
    if (total <= 0) {
      // Nothing healthy anywhere: all traffic to priority 0, which is then in panic.
      if (load.length > 0) {
        java.util.Arrays.fill(load, 100);
      }
      return load;
    }
    double remaining = 100;
    double cumulative = 0;
    for (int i = 0; i < load.length; i++) {
      double share = total < 100 ? health.get(i) * 100 / total : Math.min(remaining, health.get(i));
      remaining -= share;
      cumulative += share;
      load[i] = cumulative;
    }
    load[load.length - 1] = 100;
    return load;
  }

  /** Input for {@link #build}: one locality's hosts. */
  record LocalityInput(Locality locality, int weight, List<Host> hosts) {
  }
}
