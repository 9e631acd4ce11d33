package io.meshfed.gateway.l7.routing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/** What a matched route does: forward to a cluster, redirect, or answer directly. */
public sealed interface RouteAction {

  /**
   * Envoy's {@code route}: forward upstream.
   *
   * @param clusters the targets; one entry for {@code cluster}, several for {@code weighted_clusters}
   * @param totalWeight the sum of the weights
   * @param timeout the route timeout; null for none (Envoy's {@code 0s})
   * @param retry the retry policy, null for none
   * @param prefixRewrite {@code prefix_rewrite}, null for none
   * @param regexRewrite {@code regex_rewrite} pattern, null for none
   * @param regexSubstitution {@code regex_rewrite} substitution in Java's syntax ({@code $1})
   * @param hostRewrite {@code host_rewrite_literal}, null for none
   * @param mirrors {@code request_mirror_policies}
   * @param hashPolicies {@code hash_policy}
   * @param idleTimeout the route's {@code idle_timeout}, null for the connection manager's stream idle timeout
   */
  record Forward(List<WeightedCluster> clusters, int totalWeight, Duration timeout, RetrySpec retry,
                 String prefixRewrite, Pattern regexRewrite, String regexSubstitution, String hostRewrite,
                 List<MirrorSpec> mirrors, List<HashPolicySpec> hashPolicies, Duration idleTimeout)
      implements RouteAction {

    /** Picks a target by weight (Envoy's weighted_clusters: a uniform draw over the total weight). */
    public WeightedCluster pick() {
      if (clusters.size() == 1) {
        return clusters.get(0);
      }
      int draw = ThreadLocalRandom.current().nextInt(totalWeight);
      for (WeightedCluster cluster : clusters) {
        draw -= cluster.weight();
        if (draw < 0) {
          return cluster;
        }
      }
      return clusters.get(clusters.size() - 1);
    }
  }

  /**
   * Envoy's {@code redirect}.
   *
   * @param scheme the new scheme, null to keep
   * @param host the new host, null to keep
   * @param port the new port, 0 to keep (-1: drop, used when the scheme changes to its default port)
   * @param pathRedirect the new path (may carry a query), null to keep
   * @param prefixRewrite the matched prefix's replacement, null for none
   * @param regexRewrite pattern for a regex path rewrite, null for none
   * @param regexSubstitution its substitution
   * @param status 301, 302, 303, 307 or 308
   * @param stripQuery drop the query string
   */
  record Redirect(String scheme, String host, int port, String pathRedirect, String prefixRewrite,
                  Pattern regexRewrite, String regexSubstitution, int status, boolean stripQuery)
      implements RouteAction {
  }

  /**
   * Envoy's {@code direct_response}.
   *
   * @param status the status
   * @param body the body, empty for none
   */
  record DirectResponse(int status, String body) implements RouteAction {
  }
}
