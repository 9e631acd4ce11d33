package io.meshfed.control.plane.translate;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.meshfed.control.plane.translate.ClusterRef.EdsRef;
import io.meshfed.control.plane.translate.clusters.ClusterBuilder;
import io.meshfed.control.plane.translate.clusters.ClusterSpec;
import io.meshfed.control.plane.translate.endpoints.EndpointPolicy;
import io.meshfed.control.plane.translate.endpoints.EndpointScope;
import io.meshfed.control.plane.translate.endpoints.LoadAssignments;
import io.meshfed.control.plane.translate.model.MeshService;
import io.meshfed.control.plane.translate.model.Problems;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the translator built before, so that unchanged inputs give the same proto instances: clusters by spec, load
 * assignments by (cluster, service port, subset, scope, policy) while the service instance and the
 * PeerAuthentications are the same. Entries not used by a full translation are dropped after it.
 */
final class Caches {

  private record EdsKey(String name, String fqdn, int port, Map<String, String> subset, EndpointScope scope,
      boolean plaintextOnly, EndpointPolicy policy) {
  }

  private record EdsEntry(MeshService service, int peerAuthenticationGeneration, ClusterLoadAssignment assignment,
      List<io.meshfed.control.plane.translate.TranslationProblem> problems) {
  }

  private Map<ClusterSpec, Cluster> clusters = new HashMap<>();
  private Map<ClusterSpec, Cluster> clustersUsed = new HashMap<>();
  private Map<EdsKey, EdsEntry> endpoints = new HashMap<>();
  private Map<EdsKey, EdsEntry> endpointsUsed = new HashMap<>();
  private int built;

  Cluster cluster(ClusterSpec spec) {
    Cluster cluster = clustersUsed.get(spec);
    if (cluster == null) {
      cluster = clusters.get(spec);
      if (cluster == null) {
        cluster = ClusterBuilder.build(spec);
        built++;
      }
      clustersUsed.put(spec, cluster);
    }
    return cluster;
  }

  ClusterLoadAssignment endpoints(EdsRef ref, LoadAssignments builder, int peerAuthenticationGeneration,
      Problems problems) {
    EdsKey key = new EdsKey(ref.name(), ref.service().fqdn(), ref.port().number(), ref.subset(), ref.scope(),
        ref.plaintextOnly(), ref.policy());
    EdsEntry entry = endpointsUsed.get(key);
    if (entry == null || entry.service() != ref.service()
        || entry.peerAuthenticationGeneration() != peerAuthenticationGeneration) {
      EdsEntry previous = endpoints.get(key);
      if (previous != null && previous.service() == ref.service()
          && previous.peerAuthenticationGeneration() == peerAuthenticationGeneration) {
        entry = previous;
      } else {
        Problems own = new Problems();
        ClusterLoadAssignment assignment = builder.build(ref.name(), ref.service(), ref.port(), ref.subset(),
            ref.scope(), ref.plaintextOnly(), ref.policy(), own);
        entry = new EdsEntry(ref.service(), peerAuthenticationGeneration, assignment, own.all());
        built++;
      }
      endpointsUsed.put(key, entry);
      endpoints.put(key, entry);
    }
    problems.replay(entry.problems());
    return entry.assignment();
  }

  /** Starts a full translation: what it does not use is forgotten at {@link #endFull()}. */
  void beginFull() {
    clustersUsed = new HashMap<>(Math.max(16, clusters.size() * 2));
    endpointsUsed = new HashMap<>(Math.max(16, endpoints.size() * 2));
  }

  void endFull() {
    clusters = clustersUsed;
    endpoints = endpointsUsed;
  }

  /** Starts an incremental translation: everything known stays usable. */
  void beginIncremental() {
    clustersUsed = clusters;
    endpointsUsed = endpoints;
  }

  /** How many resources were built (not reused) since the last call. */
  int builtAndReset() {
    int n = built;
    built = 0;
    return n;
  }
}
