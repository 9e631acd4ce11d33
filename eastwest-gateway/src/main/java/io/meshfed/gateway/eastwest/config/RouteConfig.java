package io.meshfed.gateway.eastwest.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * One route: a path match (prefix, exact path or whole-path regex; the query string is not part of the path) and
 * the cluster it forwards to, directly or by weight, with its timeout and retry policy.
 */
public record RouteConfig(String name, PathKind pathKind, String path, Pattern regex, boolean caseSensitive,
    List<WeightedCluster> clusters, Duration timeout, RetryPolicyConfig retry) {

  /** {@code RouteMatch.path_specifier}. */
  public enum PathKind { PREFIX, PATH, REGEX }

  /** One entry of {@code weighted_clusters} (a single {@code cluster} is one entry of weight 1). */
  public record WeightedCluster(String name, int weight) {
  }

  public RouteConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(pathKind, "pathKind");
    Objects.requireNonNull(path, "path");
    if (pathKind == PathKind.REGEX && regex == null) {
      throw new IllegalArgumentException("regex: null (expected: the compiled form of path for a REGEX match)");
    }
    clusters = List.copyOf(clusters);
    if (clusters.isEmpty()) {
      throw new IllegalArgumentException("clusters: [] (expected: at least one)");
    }
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(retry, "retry");
  }

  boolean matches(String requestPath) {
    String pathOnly = requestPath == null ? "/" : requestPath;
    int query = pathOnly.indexOf('?');
    if (query >= 0) {
      pathOnly = pathOnly.substring(0, query);
    }
    return switch (pathKind) {
      case PREFIX -> caseSensitive ? pathOnly.startsWith(path)
          : pathOnly.toLowerCase(Locale.ROOT).startsWith(path.toLowerCase(Locale.ROOT));
      case PATH -> caseSensitive ? pathOnly.equals(path) : pathOnly.equalsIgnoreCase(path);
      case REGEX -> regex.matcher(pathOnly).matches();
    };
  }

  /** Picks a cluster by weight ({@code weighted_clusters}); the only one otherwise. */
  public String pickCluster() {
    if (clusters.size() == 1) {
      return clusters.get(0).name();
    }
    int total = 0;
    for (WeightedCluster cluster : clusters) {
      total += cluster.weight();
    }
    int point = ThreadLocalRandom.current().nextInt(Math.max(total, 1));
    for (WeightedCluster cluster : clusters) {
      point -= cluster.weight();
      if (point < 0) {
        return cluster.name();
      }
    }
    return clusters.get(clusters.size() - 1).name();
  }
}
