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
import io.meshfed.control.plane.xds.OrderedChunks;
import io.meshfed.control.plane.xds.Snapshot;
import io.meshfed.control.plane.xds.VersionedResource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
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

  /**
   * A cluster ref's cache keys, hashed once per translation: {@link #prebuild} looks them up, then the ordered
   * {@link #cluster} and {@link #endpoints} calls do again.
   */
  static final class Keys {
    private final Hashed<ClusterSpec> cluster;
    private final Hashed<EdsKey> endpoints;

    private Keys(Hashed<ClusterSpec> cluster, Hashed<EdsKey> endpoints) {
      this.cluster = cluster;
      this.endpoints = endpoints;
    }
  }

  /** A named load assignment and the endpoints it was built from: reused while they are. */
  record Named(EdsEntry entry, VersionedResource assignment) {

    /** How many localities (and priorities) the load assignment has: none means no endpoint. */
    int localities() {
      return entry.endpoints().localities();
    }
  }

  private final OrderedChunks chunks;
  private final ClusterBuilder builder = new ClusterBuilder();
  private final Snapshot.Packer packer = new Snapshot.Packer();
  private Map<Hashed<ClusterSpec>, VersionedResource> clusters = new HashMap<>();
  private Map<Hashed<ClusterSpec>, VersionedResource> clustersUsed = new HashMap<>();
  private Map<Hashed<EdsKey>, EdsEntry> endpoints = new HashMap<>();
  private Map<Hashed<EdsKey>, EdsEntry> endpointsUsed = new HashMap<>();
  private Map<String, Named> named = new HashMap<>();
  private Map<String, Named> namedUsed = new HashMap<>();
  private int built;

  /** @param chunks how {@link #prebuild} builds in parallel (sequential: it leaves everything to the ordered calls) */
  Caches(OrderedChunks chunks) {
    this.chunks = chunks;
  }

  /** The keys of a ref's cluster and (EDS clusters) load assignment. */
  static Keys keys(ClusterRef ref) {
    return new Keys(Hashed.of(ref.spec()), ref.eds().isPresent() ? edsKey(ref.eds().get()) : null);
  }

  /** The key of a load assignment alone (for {@link #endpoints}: an endpoint change rebuilds no cluster). */
  static Keys keys(EdsRef ref) {
    return new Keys(null, edsKey(ref));
  }

  VersionedResource cluster(Keys keys) {
    Hashed<ClusterSpec> key = keys.cluster;
    VersionedResource cluster = clustersUsed.get(key);
    if (cluster == null) {
      cluster = clusters.get(key);
      if (cluster == null) {
        cluster = packer.pack(XdsResourceType.CLUSTER, key.key().name(), builder.serialize(key.key()));
        built++;
      }
      clustersUsed.put(key, cluster);
    }
    return cluster;
  }

  /**
   * Builds the clusters and load assignments of {@code refs} that no cache holds, on the common fork-join pool (the
   * calling thread included), so that the {@link #cluster} and {@link #endpoints} calls that follow, in the group's
   * order, find them built. Each result depends on its key (spec; service, port, subset, scope, policy) alone, and the
   * state the builders share is immutable or an intern table of equal values, so the output does not depend on the
   * threads. A build that fails is left to those calls, which fail in order as they would have.
   *
   * @return the keys of each ref, in the order of {@code refs}, for those calls
   */
  List<Keys> prebuild(Collection<ClusterRef> refs, LoadAssignments endpointBuilder, int peerAuthenticationGeneration) {
    Map<Hashed<ClusterSpec>, ClusterSpec> specs = new LinkedHashMap<>();
    Map<Hashed<EdsKey>, EdsRef> eds = new LinkedHashMap<>();
    sizeFor(refs.size());
    List<Keys> keys = new ArrayList<>(refs.size());
    for (ClusterRef ref : refs) {
      Keys k = keys(ref);
      keys.add(k);
      missing(ref, k, peerAuthenticationGeneration, specs, eds);
    }
    if (chunks.parallel(specs.size() + eds.size())) {
      List<Hashed<ClusterSpec>> specKeys = new ArrayList<>(specs.keySet());
      List<VersionedResource> packed = inParallel(specKeys.size(), (packer, i) -> packer.pack(XdsResourceType.CLUSTER,
          specKeys.get(i).key().name(), builder.serialize(specKeys.get(i).key())));
      for (int i = 0; i < packed.size(); i++) {
        if (packed.get(i) != null) {
          clusters.put(specKeys.get(i), packed.get(i));
          built++;
        }
      }
      List<Hashed<EdsKey>> edsKeys = new ArrayList<>(eds.keySet());
      List<EdsEntry> entries = inParallel(edsKeys.size(), (packer, i) -> {
        EdsRef ref = eds.get(edsKeys.get(i));
        Problems own = new Problems();
        EncodedEndpoints encoded = endpointBuilder.endpoints(ref.name(), ref.service(), ref.port(), ref.subset(),
            ref.scope(), ref.plaintextOnly(), ref.policy(), own);
        return new EdsEntry(ref.service(), peerAuthenticationGeneration, encoded, own.all());
      });
      for (int i = 0; i < entries.size(); i++) {
        if (entries.get(i) != null) {
          endpoints.put(edsKeys.get(i), entries.get(i));
          built++;
        }
      }
    }
    // The named load assignments: their bytes and digests.
    List<EdsRef> unnamed = new ArrayList<>();
    List<EdsEntry> unnamedEntries = new ArrayList<>();
    int index = 0;
    for (ClusterRef ref : refs) {
      Keys k = keys.get(index++);
      if (ref.eds().isPresent()) {
        unnamed(ref.eds().get(), k.endpoints, peerAuthenticationGeneration, unnamed, unnamedEntries);
      }
    }
    if (chunks.parallel(unnamed.size())) {
      List<VersionedResource> packed = inParallel(unnamed.size(), (packer, i) -> packer.pack(XdsResourceType.ENDPOINT,
          unnamed.get(i).name(), unnamedEntries.get(i).endpoints().assignment(unnamed.get(i).name())));
      for (int i = 0; i < packed.size(); i++) {
        if (packed.get(i) != null) {
          named.put(unnamed.get(i).name(), new Named(unnamedEntries.get(i), packed.get(i)));
        }
      }
    }
    return keys;
  }

  // Methods per ref rather than large loop bodies: the JIT compiles them early (docs/translation.md, "Speed").

  /** Collects what {@code ref} needs that no cache holds: its cluster spec, its endpoints. */
  private void missing(ClusterRef ref, Keys keys, int peerAuthenticationGeneration,
      Map<Hashed<ClusterSpec>, ClusterSpec> specs, Map<Hashed<EdsKey>, EdsRef> eds) {
    Hashed<ClusterSpec> key = keys.cluster;
    if (!clustersUsed.containsKey(key) && !clusters.containsKey(key)) {
      specs.putIfAbsent(key, ref.spec());
    }
    if (ref.eds().isPresent()) {
      EdsRef e = ref.eds().get();
      Hashed<EdsKey> edsKey = keys.endpoints;
      if (cached(edsKey, e.service(), peerAuthenticationGeneration) == null) {
        eds.putIfAbsent(edsKey, e);
      }
    }
  }

  /** Collects a load assignment whose endpoints are built but not yet named (serialised under its name). */
  private void unnamed(EdsRef e, Hashed<EdsKey> key, int peerAuthenticationGeneration, List<EdsRef> unnamed,
      List<EdsEntry> unnamedEntries) {
    EdsEntry entry = cached(key, e.service(), peerAuthenticationGeneration);
    Named used = namedUsed.get(e.name());
    Named previous = named.get(e.name());
    if (entry != null && (used == null || used.entry() != entry) && (previous == null || previous.entry() != entry)) {
      unnamed.add(e);
      unnamedEntries.add(entry);
    }
  }

  /**
   * The results of {@code task} for 0 to {@code n - 1}, in that order, built in fixed chunks in parallel, each chunk
   * with its own packer; null for a task that failed (built again, in order, by the ordered path, which reports it).
   */
  private <T> List<T> inParallel(int n, OrderedChunks.Task<Snapshot.Packer, T> task) {
    return chunks.map(n, Snapshot.Packer::new, (packer, i) -> {
      try {
        return task.run(packer, i);
      } catch (RuntimeException e) {
        return null;
      }
    });
  }

  private static Hashed<EdsKey> edsKey(EdsRef ref) {
    return Hashed.of(new EdsKey(ref.service().fqdn(), ref.port().number(), ref.subset(), ref.scope(),
        ref.plaintextOnly(), ref.policy()));
  }

  /** The current endpoints of a key, used already in this translation or known from before; null if none. */
  private EdsEntry cached(Hashed<EdsKey> key, MeshService service, int peerAuthenticationGeneration) {
    EdsEntry entry = endpointsUsed.get(key);
    if (entry != null && entry.current(service, peerAuthenticationGeneration)) {
      return entry;
    }
    entry = endpoints.get(key);
    return entry != null && entry.current(service, peerAuthenticationGeneration) ? entry : null;
  }

  /** The load assignment of {@code ref}, whose keys are {@code keys}. */
  Named endpoints(EdsRef ref, Keys keys, LoadAssignments builder, int peerAuthenticationGeneration,
      Problems problems) {
    Hashed<EdsKey> key = keys.endpoints;
    EdsEntry entry = endpointsUsed.get(key);
    if (entry == null || !entry.current(ref.service(), peerAuthenticationGeneration)) {
      EdsEntry previous = endpoints.get(key);
      if (previous != null && previous.current(ref.service(), peerAuthenticationGeneration)) {
        entry = previous;
      } else {
        Problems own = new Problems();
        EncodedEndpoints endpoints = builder.endpoints(ref.name(), ref.service(), ref.port(), ref.subset(),
            ref.scope(), ref.plaintextOnly(), ref.policy(), own);
        entry = new EdsEntry(ref.service(), peerAuthenticationGeneration, endpoints, own.all());
        built++;
      }
      // One put: while incremental, the used map is the known one; a full translation forgets the known one.
      endpointsUsed.put(key, entry);
    }
    problems.replay(entry.problems());
    Named assignment = namedUsed.get(ref.name());
    if (assignment == null || assignment.entry() != entry) {
      Named previous = named.get(ref.name());
      assignment = previous != null && previous.entry() == entry ? previous
          : new Named(entry, packer.pack(XdsResourceType.ENDPOINT, ref.name(),
              entry.endpoints().assignment(ref.name())));
      namedUsed.put(ref.name(), assignment);
    }
    return assignment;
  }

  /**
   * Sizes a fresh translator's maps for {@code refs} clusters at its first group: it knows nothing from before to
   * size them by (see {@link #beginFull}), and growing them entry by entry cost it more than filling them.
   */
  private void sizeFor(int refs) {
    boolean fresh = clusters.isEmpty() && endpoints.isEmpty() && named.isEmpty();
    if (clustersUsed == clusters || !clustersUsed.isEmpty() || !fresh || refs <= 16) {
      return; // incremental (the used maps are the known ones), a later group, or sized from the last translation
    }
    // The prebuild fills the known maps, the ordered calls the used ones.
    clusters = new HashMap<>(refs * 2);
    endpoints = new HashMap<>(refs * 2);
    named = new HashMap<>(refs * 2);
    clustersUsed = new HashMap<>(refs * 2);
    endpointsUsed = new HashMap<>(refs * 2);
    namedUsed = new HashMap<>(refs * 2);
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
