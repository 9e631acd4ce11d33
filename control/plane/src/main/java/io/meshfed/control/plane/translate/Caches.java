package io.meshfed.control.plane.translate;

import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.control.plane.translate.ClusterRef.EdsRef;
import io.meshfed.control.plane.translate.clusters.ClusterBuilder;
import io.meshfed.control.plane.translate.clusters.ClusterSpec;
import io.meshfed.control.plane.translate.endpoints.EncodedEndpoints;
import io.meshfed.control.plane.translate.endpoints.EndpointPolicy;
import io.meshfed.control.plane.translate.endpoints.EndpointScope;
import io.meshfed.control.plane.translate.endpoints.LoadAssignments;
import io.meshfed.control.plane.translate.model.MeshService;
import io.meshfed.control.plane.translate.model.Problems;
import io.meshfed.control.plane.xds.Snapshot;
import io.meshfed.control.plane.xds.VersionedResource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the translator built before, so that unchanged inputs give the same packed resources: clusters by spec, load
 * assignments by (cluster, service port, subset, scope, policy) while the service instance and the
 * PeerAuthentications are the same. Entries not used by a full translation are dropped after it.
 *
 * <p>Clusters and load assignments are kept packed only (serialised, with their versions), as the snapshot serves
 * them: their messages are garbage as soon as they are built, which keeps the translator's state and the collectors'
 * work small (tens of thousands of each in a large mesh).
 */
final class Caches {

  /** What a load assignment's endpoints depend on, besides the service instance and the PeerAuthentications. */
  private record EdsKey(String fqdn, int port, Map<String, String> subset, EndpointScope scope,
      boolean plaintextOnly, EndpointPolicy policy) {
  }

  /**
   * A map key with its hash computed once: specs and policies hash deeply (DestinationRule parts), and each lookup
   * touches up to four maps.
   */
  private record Hashed<T>(T key, int hash) {

    static <T> Hashed<T> of(T key) {
      return new Hashed<>(key, key.hashCode());
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Hashed<?> h && h.hash == hash && (h.key == key || h.key.equals(key));
    }
  }

  private record EdsEntry(MeshService service, int peerAuthenticationGeneration, EncodedEndpoints endpoints,
      List<io.meshfed.control.plane.translate.TranslationProblem> problems) {

    boolean current(MeshService now, int generation) {
      return service == now && peerAuthenticationGeneration == generation;
    }
  }

  /** A named load assignment and the endpoints it was built from: reused while they are. */
  record Named(EdsEntry entry, VersionedResource assignment) {

    /** How many localities (and priorities) the load assignment has: none means no endpoint. */
    int localities() {
      return entry.endpoints().localities();
    }
  }

  private final ClusterBuilder builder = new ClusterBuilder();
  private final Snapshot.Packer packer = new Snapshot.Packer();
  private Map<Hashed<ClusterSpec>, VersionedResource> clusters = new HashMap<>();
  private Map<Hashed<ClusterSpec>, VersionedResource> clustersUsed = new HashMap<>();
  private Map<Hashed<EdsKey>, EdsEntry> endpoints = new HashMap<>();
  private Map<Hashed<EdsKey>, EdsEntry> endpointsUsed = new HashMap<>();
  private Map<String, Named> named = new HashMap<>();
  private Map<String, Named> namedUsed = new HashMap<>();
  private int built;

  VersionedResource cluster(ClusterSpec spec) {
    Hashed<ClusterSpec> key = Hashed.of(spec);
    VersionedResource cluster = clustersUsed.get(key);
    if (cluster == null) {
      cluster = clusters.get(key);
      if (cluster == null) {
        cluster = packer.pack(XdsResourceType.CLUSTER, builder.build(spec));
        built++;
      }
      clustersUsed.put(key, cluster);
    }
    return cluster;
  }

  Named endpoints(EdsRef ref, LoadAssignments builder, int peerAuthenticationGeneration, Problems problems) {
    Hashed<EdsKey> key = Hashed.of(new EdsKey(ref.service().fqdn(), ref.port().number(), ref.subset(), ref.scope(),
        ref.plaintextOnly(), ref.policy()));
    EdsEntry entry = endpointsUsed.get(key);
    if (entry == null || !entry.current(ref.service(), peerAuthenticationGeneration)) {
      EdsEntry previous = endpoints.get(key);
      if (previous != null && previous.current(ref.service(), peerAuthenticationGeneration)) {
        entry = previous;
      } else {
        Problems own = new Problems();
        EncodedEndpoints endpoints = builder.endpoints(ref.service(), ref.port(), ref.subset(), ref.scope(),
            ref.plaintextOnly(), ref.policy(), own);
        entry = new EdsEntry(ref.service(), peerAuthenticationGeneration, endpoints, own.all());
        built++;
      }
      endpointsUsed.put(key, entry);
      endpoints.put(key, entry);
    }
    problems.replay(entry.problems());
    Named assignment = namedUsed.get(ref.name());
    if (assignment == null || assignment.entry() != entry) {
      Named previous = named.get(ref.name());
      assignment = previous != null && previous.entry() == entry ? previous
          : new Named(entry, packer.pack(XdsResourceType.ENDPOINT, ref.name(),
              entry.endpoints().assignment(ref.name())));
      namedUsed.put(ref.name(), assignment);
      named.put(ref.name(), assignment);
    }
    return assignment;
  }

  /** Starts a full translation: what it does not use is forgotten at {@link #endFull()}. */
  void beginFull() {
    clustersUsed = new HashMap<>(Math.max(16, clusters.size() * 2));
    endpointsUsed = new HashMap<>(Math.max(16, endpoints.size() * 2));
    namedUsed = new HashMap<>(Math.max(16, named.size() * 2));
  }

  void endFull() {
    clusters = clustersUsed;
    endpoints = endpointsUsed;
    named = namedUsed;
  }

  /** Starts an incremental translation: everything known stays usable. */
  void beginIncremental() {
    clustersUsed = clusters;
    endpointsUsed = endpoints;
    namedUsed = named;
  }

  /** How many resources were built (not reused) since the last call. */
  int builtAndReset() {
    int n = built;
    built = 0;
    return n;
  }
}
