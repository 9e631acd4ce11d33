package io.meshfed.gateway.eastwest.upstream;

/** Finds a cluster by name in the snapshot serving now (HTTP requests on long-lived connections see EDS updates). */
@FunctionalInterface
public interface ClusterDirectory {

  /** The cluster, or {@code null} when no cluster of that name is configured. */
  ClusterRuntime cluster(String name);
}
