package io.meshfed.gateway.l7.balancing;

import io.meshfed.gateway.l7.cluster.ClusterSpec;
import io.meshfed.gateway.l7.cluster.Host;
import io.meshfed.gateway.l7.cluster.HostSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks a host for one attempt: a priority by load, a locality by weight when the cluster is locality weighted, then
 * a host by the cluster's {@code lb_policy}. One instance per event loop and cluster: its round-robin state is
 * owned by that event loop (Envoy keeps load-balancer state per worker the same way).
 */
public final class LoadBalancer {

  private static final int RING_SLOT = 0;
  private static final int MAGLEV_SLOT = 1;

  private final ClusterSpec spec;
  private Host[] roundRobinOver;
  private int cursor;
  private int[] smoothWeights;

  /** A balancer for {@code spec}. */
  public LoadBalancer(ClusterSpec spec) {
    this.spec = spec;
    this.cursor = ThreadLocalRandom.current().nextInt(1 << 16);
  }

  /**
   * Chooses a host.
   *
   * @param hosts the current view
   * @param hash the request hash for RING_HASH/MAGLEV, or null when the route yields none (then random)
   * @param avoid hosts already tried (retry_host_predicate previous_hosts), may be empty
   * @param attempts how many picks may be made to avoid them ({@code host_selection_retry_max_attempts})
   * @return the host, or null when no host is available
   */
  public Host choose(HostSet hosts, Long hash, Set<Host> avoid, int attempts) {
    Host chosen = null;
    for (int i = 0; i <= Math.max(0, attempts); i++) {
      chosen = chooseOnce(hosts, hash == null ? null : hash + i);
      if (chosen == null || avoid.isEmpty() || !avoid.contains(chosen)) {
        return chosen;
      }
    }
    return chosen;
  }

  private Host chooseOnce(HostSet hosts, Long hash) {
    HostSet.PriorityHosts priority = hosts.pickPriority();
    if (priority == null) {
      return null;
    }
    Host[] candidates = priority.candidates();
    if (candidates.length == 0) {
      // This priority has no host at all: take the first priority that has any.
      for (HostSet.PriorityHosts other : hosts.priorities()) {
        if (other.candidates().length > 0) {
          priority = other;
          candidates = other.candidates();
          break;
        }
      }
      if (candidates.length == 0) {
        return null;
      }
    }
    switch (spec.lbPolicy()) {
      case RING_HASH -> {
        if (hash != null) {
          RingHash ring = priority.derived(RING_SLOT,
              array -> RingHash.build(array, spec.ringMinSize(), spec.ringMaxSize()));
          return ring.pick(hash);
        }
        return candidates[ThreadLocalRandom.current().nextInt(candidates.length)];
      }
      case MAGLEV -> {
        if (hash != null) {
          Maglev table = priority.derived(MAGLEV_SLOT, array -> Maglev.build(array, spec.maglevTableSize()));
          return table.pick(hash);
        }
        return candidates[ThreadLocalRandom.current().nextInt(candidates.length)];
      }
      default -> {
        if (spec.localityWeighted()) {
          HostSet.LocalityHosts locality = priority.pickLocality();
          if (locality != null && locality.candidates().length > 0) {
            candidates = locality.candidates();
          }
        }
        return switch (spec.lbPolicy()) {
          case LEAST_REQUEST -> leastRequest(candidates);
          case RANDOM -> candidates[ThreadLocalRandom.current().nextInt(candidates.length)];
          default -> roundRobin(candidates);
        };
      }
    }
  }

  private Host roundRobin(Host[] candidates) {
    if (candidates.length == 1) {
      return candidates[0];
    }
    boolean equal = true;
    for (Host host : candidates) {
      if (host.weight() != candidates[0].weight()) {
        equal = false;
        break;
      }
    }
    if (equal) {
      cursor = cursor + 1 & Integer.MAX_VALUE;
      return candidates[cursor % candidates.length];
    }
    // Weighted: smooth weighted round robin, state kept while the candidate array is the same view.
    if (roundRobinOver != candidates) {
      roundRobinOver = candidates;
      smoothWeights = new int[candidates.length];
    }
    int total = 0;
    int best = 0;
    for (int i = 0; i < candidates.length; i++) {
      smoothWeights[i] += candidates[i].weight();
      total += candidates[i].weight();
      if (smoothWeights[i] > smoothWeights[best]) {
        best = i;
      }
    }
    smoothWeights[best] -= total;
    return candidates[best];
  }

  /**
   * Envoy's LEAST_REQUEST: with equal weights, the better of two random choices (P2C); with unequal weights, the
   * highest {@code weight / (active + 1)}.
   */
  private static Host leastRequest(Host[] candidates) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    if (candidates.length == 1) {
      return candidates[0];
    }
    boolean equal = true;
    for (Host host : candidates) {
      if (host.weight() != candidates[0].weight()) {
        equal = false;
        break;
      }
    }
    if (equal) {
      Host first = candidates[random.nextInt(candidates.length)];
      Host second = candidates[random.nextInt(candidates.length)];
      return second.activeRequests() < first.activeRequests() ? second : first;
    }
    Host best = null;
    double bestScore = -1;
    for (Host host : candidates) {
      double score = host.weight() / (host.activeRequests() + 1.0);
      if (score > bestScore || (score == bestScore && random.nextBoolean())) {
        best = host;
        bestScore = score;
      }
    }
    return best;
  }
}
