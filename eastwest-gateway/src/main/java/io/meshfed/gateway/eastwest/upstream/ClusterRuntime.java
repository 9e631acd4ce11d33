package io.meshfed.gateway.eastwest.upstream;

import io.meshfed.gateway.eastwest.config.ClusterConfig;
import io.meshfed.gateway.eastwest.config.HostConfig;
import io.meshfed.gateway.eastwest.config.OutlierConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A cluster inside one snapshot: host choice and outlier detection.
 *
 * <p>Host choice follows Envoy's load balancer in simplified form: the lowest priority with an available host wins
 * (available: HEALTHY, not ejected, not already tried by this request); within it the policy picks (weighted round
 * robin; least request as power of two choices; random; rendezvous hashing for RING_HASH/MAGLEV). No healthy host
 * anywhere: DEGRADED hosts, then, if the panic threshold is above zero, any host that is not DRAINING (Envoy's panic
 * mode); else none ({@code UH}). Envoy's partial spill-over between priorities (overprovisioning factor 1.4) is not
 * modelled: a priority serves everything while it has one healthy host.
 */
public final class ClusterRuntime {

  private final ClusterConfig config;
  private final ClusterState state;
  private final List<PriorityLevel> levels;
  private final List<Host> hosts;

  ClusterRuntime(ClusterConfig config, ClusterState state, List<PriorityLevel> levels) {
    this.config = config;
    this.state = state;
    this.levels = List.copyOf(levels);
    List<Host> all = new ArrayList<>();
    for (PriorityLevel level : levels) {
      all.addAll(level.hosts);
    }
    this.hosts = List.copyOf(all);
  }

  public String name() {
    return config.name();
  }

  public ClusterConfig config() {
    return config;
  }

  public ClusterState state() {
    return state;
  }

  public List<Host> hosts() {
    return hosts;
  }

  /** Whether the cluster waits for a referenced secret (it serves nothing until then). */
  public boolean ready() {
    return config.missing().isEmpty();
  }

  /**
   * Chooses a host, or {@code null} when none can serve (UH).
   *
   * @param tried hosts this request already failed on (retries avoid them)
   * @param hashKey the consistent-hash key (the downstream address) for RING_HASH and MAGLEV
   */
  public Host pick(Set<Host> tried, int hashKey) {
    long now = System.nanoTime();
    for (PriorityLevel level : levels) {
      Host host = pickIn(level, tried, hashKey, now, HostConfig.Health.HEALTHY, true);
      if (host != null) {
        return host;
      }
    }
    for (PriorityLevel level : levels) {
      Host host = pickIn(level, tried, hashKey, now, HostConfig.Health.DEGRADED, true);
      if (host != null) {
        return host;
      }
    }
    if (config.panicThresholdPercent() > 0) {
      for (PriorityLevel level : levels) {
        Host host = pickIn(level, tried, hashKey, now, null, false);
        if (host != null) {
          return host;
        }
      }
    }
    return null;
  }

  private Host pickIn(PriorityLevel level, Set<Host> tried, int hashKey, long now, HostConfig.Health health,
      boolean respectEjection) {
    if (level.hosts.isEmpty()) {
      return null;
    }
    return switch (config.lbPolicy()) {
      case ROUND_ROBIN -> roundRobin(level, tried, now, health, respectEjection);
      case LEAST_REQUEST -> leastRequest(level, tried, now, health, respectEjection);
      case RANDOM -> random(level, tried, now, health, respectEjection);
      case RING_HASH, MAGLEV -> rendezvous(level, tried, hashKey, now, health, respectEjection);
    };
  }

  private static boolean available(Host host, Set<Host> tried, long now, HostConfig.Health health,
      boolean respectEjection) {
    HostConfig.Health actual = host.config().health();
    if (health == null ? actual == HostConfig.Health.DRAINING : actual != health) {
      return false;
    }
    return (!respectEjection || !host.state().ejected(now)) && !tried.contains(host);
  }

  private static Host roundRobin(PriorityLevel level, Set<Host> tried, long now, HostConfig.Health health,
      boolean respectEjection) {
    int[] schedule = level.schedule;
    long start = level.cursor.getAndIncrement();
    for (int i = 0; i < schedule.length; i++) {
      Host host = level.hosts.get(schedule[(int) Math.floorMod(start + i, (long) schedule.length)]);
      if (available(host, tried, now, health, respectEjection)) {
        return host;
      }
    }
    return null;
  }

  private Host leastRequest(PriorityLevel level, Set<Host> tried, long now, HostConfig.Health health,
      boolean respectEjection) {
    List<Host> candidates = candidates(level, tried, now, health, respectEjection);
    if (candidates.isEmpty()) {
      return null;
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    Host best = candidates.get(random.nextInt(candidates.size()));
    for (int i = 1; i < config.choiceCount(); i++) {
      Host other = candidates.get(random.nextInt(candidates.size()));
      if (other.state().active.get() < best.state().active.get()) {
        best = other;
      }
    }
    return best;
  }

  private static Host random(PriorityLevel level, Set<Host> tried, long now, HostConfig.Health health,
      boolean respectEjection) {
    List<Host> candidates = candidates(level, tried, now, health, respectEjection);
    return candidates.isEmpty() ? null : candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
  }

  /** Highest-random-weight hashing: consistent like a ring (a host leaving moves only its own keys). */
  private static Host rendezvous(PriorityLevel level, Set<Host> tried, int hashKey, long now,
      HostConfig.Health health, boolean respectEjection) {
    Host best = null;
    long bestScore = Long.MIN_VALUE;
    for (Host host : level.hosts) {
      if (!available(host, tried, now, health, respectEjection)) {
        continue;
      }
      long score = mix(hashKey * 0x9E3779B97F4A7C15L ^ host.address().hashCode());
      if (best == null || score > bestScore) {
        best = host;
        bestScore = score;
      }
    }
    return best;
  }

  private static long mix(long value) {
    long z = value;
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }

  private static List<Host> candidates(PriorityLevel level, Set<Host> tried, long now, HostConfig.Health health,
      boolean respectEjection) {
    List<Host> candidates = new ArrayList<>(level.hosts.size());
    for (Host host : level.hosts) {
      if (available(host, tried, now, health, respectEjection)) {
        candidates.add(host);
      }
    }
    return candidates;
  }

  /** A request or connection to {@code host} succeeded: its consecutive-failure counts restart. */
  public void reportSuccess(Host host) {
    host.state().consecutive5xx.set(0);
    host.state().consecutiveGatewayFailures.set(0);
  }

  /**
   * A request or connection to {@code host} failed. Connect failures and 502/503/504 are gateway failures; other
   * 5xx count only toward {@code consecutive_5xx} (Envoy's outlier detection, not split by origin).
   */
  public void reportFailure(Host host, boolean gatewayFailure) {
    HostState hostState = host.state();
    int consecutive = hostState.consecutive5xx.incrementAndGet();
    int gateway = gatewayFailure ? hostState.consecutiveGatewayFailures.incrementAndGet()
        : resetGateway(hostState);
    OutlierConfig outlier = config.outlier();
    if (outlier == null) {
      return;
    }
    boolean eject = (outlier.consecutive5xx() > 0 && consecutive >= outlier.consecutive5xx()
        && enforced(outlier.enforcing5xx()))
        || (gatewayFailure && outlier.consecutiveGatewayFailure() > 0
        && gateway >= outlier.consecutiveGatewayFailure() && enforced(outlier.enforcingGatewayFailure()));
    if (eject) {
      eject(host, outlier);
    }
  }

  private static int resetGateway(HostState state) {
    state.consecutiveGatewayFailures.set(0);
    return 0;
  }

  private static boolean enforced(int percent) {
    return percent >= 100 || (percent > 0 && ThreadLocalRandom.current().nextInt(100) < percent);
  }

  private void eject(Host host, OutlierConfig outlier) {
    long now = System.nanoTime();
    HostState hostState = host.state();
    if (hostState.ejected(now)) {
      return;
    }
    int ejected = 0;
    for (Host other : hosts) {
      if (other.state().ejected(now)) {
        ejected++;
      }
    }
    // Envoy ejects at least one host even when max_ejection_percent rounds down to zero.
    int allowed = Math.max(1, hosts.size() * outlier.maxEjectionPercent() / 100);
    if (ejected >= allowed) {
      return;
    }
    int count = hostState.ejections.incrementAndGet();
    long base = outlier.baseEjectionTime().toNanos();
    long duration = Math.min(base * count, Math.max(base, outlier.maxEjectionTime().toNanos()));
    hostState.ejectedUntilNanos = now + Math.max(duration, 1);
    hostState.consecutive5xx.set(0);
    hostState.consecutiveGatewayFailures.set(0);
  }

  /** Whether the host is ejected by outlier detection now. */
  public boolean ejected(Host host) {
    return host.state().ejected(System.nanoTime());
  }

  @Override
  public String toString() {
    return "ClusterRuntime{" + config.name() + ", hosts=" + hosts + "}";
  }
}
