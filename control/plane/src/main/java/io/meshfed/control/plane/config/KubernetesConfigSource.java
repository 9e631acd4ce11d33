package io.meshfed.control.plane.config;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.meshfed.control.plane.istio.Message;
import io.meshfed.control.plane.istio.MessageType;
import io.meshfed.control.plane.istio.Origin;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local cluster's config through fabric8 informers: Services, EndpointSlices, Pods, Namespaces,
 * ServiceAccounts, Secrets, the Istio CRDs meshfed supports and ServiceExport. Informers run on fabric8's threads;
 * their events only signal the store, which pulls {@link #contents()} from the informers' caches. A kind whose CRD
 * is not installed is reported (MF0012) and read as empty instead of blocking the source.
 *
 * <p>When the API server is lost, the informers keep their caches and retry; the last contents keep serving.
 */
public final class KubernetesConfigSource implements ConfigSource {

  private static final Logger LOG = LoggerFactory.getLogger(KubernetesConfigSource.class);

  private final KubernetesClient client;
  private final String name;
  private final Origin origin;
  private final List<KubernetesKinds.Kind> kinds;
  private final List<SharedIndexInformer<HasMetadata>> informers = new ArrayList<>();
  private final Map<String, String> unavailable = new ConcurrentHashMap<>();
  private volatile boolean ready;
  // The document made for each informer object, by identity: an informer replaces an object that changes, so the
  // same instance is the same version (and stays the same RawResource, which the SnapshotBuilder relies on).
  private Map<HasMetadata, RawResource> cache = new IdentityHashMap<>();

  private KubernetesConfigSource(Builder b) {
    this.client = b.client;
    this.name = "kubernetes " + b.clusterName;
    this.origin = Origin.of("cluster " + b.clusterName);
    this.kinds = KubernetesKinds.all(b.networkingVersion, b.securityVersion, b.secretsNamespace);
  }

  public static Builder builder(KubernetesClient client) {
    return new Builder(client);
  }

  /**
   * Lists everything once (blocking; for {@code meshfed analyze --kube}). A kind whose CRD is missing is reported
   * in the contents' messages.
   */
  public static SourceContents list(KubernetesClient client, String clusterName, String networkingVersion,
      String securityVersion) {
    Origin origin = Origin.of("cluster " + clusterName);
    List<RawResource> resources = new ArrayList<>();
    List<Message> messages = new ArrayList<>();
    for (KubernetesKinds.Kind kind : KubernetesKinds.all(networkingVersion, securityVersion)) {
      try {
        for (HasMetadata object : kind.list(client)) {
          resources.add(KubernetesKinds.raw(object, origin));
        }
      } catch (KubernetesClientException e) {
        if (kind.crd() && notFound(e)) {
          messages.add(missingCrd(kind, origin));
        } else {
          throw e;
        }
      }
    }
    return new SourceContents("kubernetes " + clusterName, resources, messages);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public synchronized void start(Runnable onChange) {
    if (!informers.isEmpty()) {
      throw new IllegalStateException(name + ": already started");
    }
    AtomicInteger pending = new AtomicInteger(kinds.size());
    ResourceEventHandler<HasMetadata> handler = new ResourceEventHandler<>() {
      @Override
      public void onAdd(HasMetadata object) {
        onChange.run();
      }

      @Override
      public void onUpdate(HasMetadata before, HasMetadata after) {
        onChange.run();
      }

      @Override
      public void onDelete(HasMetadata object, boolean finalStateUnknown) {
        onChange.run();
      }
    };
    for (KubernetesKinds.Kind kind : kinds) {
      SharedIndexInformer<HasMetadata> informer = kind.informer(client);
      informer.exceptionHandler((started, error) -> {
        if (!started && kind.crd() && notFound(error)) {
          unavailable.put(kind.label(), kind.label());
          return false; // the CRD is not installed: stop, report, do not block the other kinds
        }
        LOG.warn("{}: watching {} failed, retrying: {}", name, kind.label(), error.toString());
        return true;
      });
      informer.addEventHandler(handler);
      informers.add(informer);
      informer.start().whenComplete((ok, error) -> {
        if (error != null) {
          unavailable.putIfAbsent(kind.label(), kind.label());
          LOG.warn("{}: {} unavailable: {}", name, kind.label(), error.toString());
        }
        if (pending.decrementAndGet() == 0) {
          ready = true;
          LOG.info("{}: initial sync done ({} kinds unavailable)", name, unavailable.size());
          onChange.run();
        }
      });
    }
  }

  @Override
  public boolean ready() {
    return ready;
  }

  @Override
  public synchronized SourceContents contents() {
    Map<HasMetadata, RawResource> next = new IdentityHashMap<>(cache.size() + 16); // the expected size
    List<RawResource> resources = new ArrayList<>(cache.size() + 16);
    for (SharedIndexInformer<HasMetadata> informer : informers) {
      for (HasMetadata object : informer.getStore().list()) {
        RawResource raw = cache.get(object);
        if (raw == null) {
          raw = KubernetesKinds.raw(object, origin);
        }
        next.put(object, raw);
        resources.add(raw);
      }
    }
    cache = next;
    List<Message> messages = new ArrayList<>();
    for (KubernetesKinds.Kind kind : kinds) {
      if (unavailable.containsKey(kind.label())) {
        messages.add(missingCrd(kind, origin));
      }
    }
    return new SourceContents(name, resources, messages);
  }

  /** Whether the API server answered 404: the kind's CRD is not installed. Informers wrap the error. */
  static boolean notFound(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof KubernetesClientException e && e.getCode() == 404) {
        return true;
      }
    }
    return false;
  }

  private static Message missingCrd(KubernetesKinds.Kind kind, Origin origin) {
    return new Message(MessageType.SOURCE_PROBLEM, Optional.empty(), origin, "",
        kind.label() + " cannot be read (CRD not installed, or no permission to list it); none is used",
        "install the CRD (deploy/ has them) and grant meshfed list/watch on it", Optional.empty());
  }

  /**
   * The kinds whose informer has no open watch right now (the API server is unreachable, or refuses): their last
   * listed objects keep serving. Kinds whose CRD is missing are not counted.
   */
  public synchronized List<String> notWatching() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < informers.size(); i++) {
      String label = kinds.get(i).label();
      if (!unavailable.containsKey(label) && !informers.get(i).isWatching()) {
        out.add(label);
      }
    }
    return out;
  }

  @Override
  public synchronized void close() {
    informers.forEach(SharedIndexInformer::close);
  }

  /** Builds a {@link KubernetesConfigSource}; each setter validates its argument. */
  public static final class Builder {

    private final KubernetesClient client;
    private String clusterName = "local";
    private String networkingVersion = "v1";
    private String securityVersion = "v1";
    private String secretsNamespace;

    private Builder(KubernetesClient client) {
      this.client = Objects.requireNonNull(client, "client");
    }

    public Builder clusterName(String clusterName) {
      if (clusterName == null || clusterName.isBlank()) {
        throw new IllegalArgumentException("clusterName: \"" + clusterName + "\" (expected: a non-empty name)");
      }
      this.clusterName = clusterName;
      return this;
    }

    /** The networking.istio.io version to watch: v1 (default, Istio 1.22+), v1beta1 or v1alpha3. */
    public Builder networkingVersion(String version) {
      if (!io.meshfed.control.plane.istio.Kinds.NETWORKING_VERSIONS.contains(version)) {
        throw new IllegalArgumentException("networkingVersion: " + version + " (expected: v1, v1beta1 or v1alpha3)");
      }
      this.networkingVersion = version;
      return this;
    }

    /** The security.istio.io version to watch: v1 (default) or v1beta1. */
    public Builder securityVersion(String version) {
      if (!io.meshfed.control.plane.istio.Kinds.SECURITY_VERSIONS.contains(version)) {
        throw new IllegalArgumentException("securityVersion: " + version + " (expected: v1 or v1beta1)");
      }
      this.securityVersion = version;
      return this;
    }

    /** Read Secrets of this namespace only (default: every namespace). */
    public Builder secretsNamespace(String namespace) {
      if (namespace == null || namespace.isBlank()) {
        throw new IllegalArgumentException("secretsNamespace: \"" + namespace + "\" (expected: a namespace)");
      }
      this.secretsNamespace = namespace;
      return this;
    }

    public KubernetesConfigSource build() {
      return new KubernetesConfigSource(this);
    }
  }
}
