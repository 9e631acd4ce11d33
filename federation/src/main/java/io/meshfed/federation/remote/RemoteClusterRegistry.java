package io.meshfed.federation.remote;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.meshfed.federation.catalog.Catalog;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remote clusters registered by Secret: watches the system namespace for Secrets carrying
 * {@value RemoteSecrets#LABEL} or {@value RemoteSecrets#ISTIO_LABEL} and runs one {@link RemoteCluster} per cluster
 * id they register. Adding, rotating and deleting a Secret take effect without a restart.
 *
 * <p>Isolation: a malformed Secret, a duplicate cluster id or an unreachable API server affects that cluster alone
 * and is reported in {@link #status()}, the {@code meshfed_remote_*} metrics and the log. A Secret update that cannot
 * be parsed leaves the clusters it registered running with the last good credentials. {@link #ready()} never waits
 * longer than the readiness timeout.
 *
 * <p>Owned by one event-loop context; fabric8 calls that can block run on worker threads.
 */
public final class RemoteClusterRegistry {

  private static final Logger LOG = LoggerFactory.getLogger(RemoteClusterRegistry.class);

  private final Vertx vertx;
  private final Context context;
  private final KubernetesClient localClient;
  private final String namespace;
  private final String localClusterId;
  private final Catalog catalog;
  private final RemoteSettings settings;
  private final RemoteMetrics metrics;

  private final List<SharedIndexInformer<Secret>> informers = new CopyOnWriteArrayList<>();
  private final Map<String, RemoteCluster> clusters = new TreeMap<>();
  private final Map<String, RemoteClusterStatus> problems = new TreeMap<>();
  private final Set<String> reportedProblems = new HashSet<>();
  private final Promise<Void> ready = Promise.promise();
  private final List<Handler<Map<String, String>>> peerHandlers = new CopyOnWriteArrayList<>();
  /** Withdrawals still out, which the close waits for: a cluster unregistered just before it is still withdrawn. */
  private final Set<Future<Void>> withdrawing = new HashSet<>();
  private Set<String> awaitedAtStart;
  private Map<String, String> peers = Map.of();
  private boolean closed;
  private boolean reconciling;
  private boolean reconcileAgain;

  private RemoteClusterRegistry(Builder builder) {
    this.vertx = builder.vertx;
    this.context = builder.vertx.getOrCreateContext();
    this.localClient = builder.localClient;
    this.namespace = builder.namespace;
    this.localClusterId = builder.localClusterId;
    this.catalog = builder.catalog;
    this.settings = builder.settings;
    this.metrics = new RemoteMetrics(builder.meters);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts watching Secrets; completes once both informers listed (not once the clusters synced: see ready()). */
  public Future<Void> start() {
    vertx.setTimer(settings.readinessTimeout().toMillis(), id -> context.runOnContext(v -> readinessTimedOut()));
    return vertx.executeBlocking(() -> {
      List<CompletableFuture<Void>> started = new ArrayList<>();
      for (String label : List.of(RemoteSecrets.LABEL, RemoteSecrets.ISTIO_LABEL)) {
        SharedIndexInformer<Secret> informer = localClient.secrets().inNamespace(namespace)
            .withLabel(label, "true").runnableInformer(0);
        informer.addEventHandler(new ResourceEventHandler<>() {
          @Override
          public void onAdd(Secret secret) {
            changed();
          }

          @Override
          public void onUpdate(Secret before, Secret after) {
            changed();
          }

          @Override
          public void onDelete(Secret secret, boolean finalStateUnknown) {
            changed();
          }
        });
        informers.add(informer);
        started.add(informer.start().toCompletableFuture());
      }
      CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).join();
      return null;
    }, false).compose(v -> {
      Promise<Void> reconciled = Promise.promise();
      context.runOnContext(ignored -> reconcile().onComplete(done -> {
        awaitedAtStart = new HashSet<>(clusters.keySet());
        checkReady();
        reconciled.complete();
      }));
      return reconciled.future();
    });
  }

  /**
   * Completes when every cluster registered at start has synced or failed, or when the readiness timeout ran out,
   * whichever is first: an unreachable remote never holds the control plane's readiness longer than that.
   */
  public Future<Void> ready() {
    return ready.future();
  }

  /** Every remote cluster's status, and the Secrets that register none, sorted by cluster id then Secret. */
  public Future<List<RemoteClusterStatus>> status() {
    Promise<List<RemoteClusterStatus>> result = Promise.promise();
    context.runOnContext(ignored -> result.complete(statusNow()));
    return result.future();
  }

  /**
   * Receives the federation endpoints (cluster id → host:port) Secrets announce with
   * {@value RemoteSecrets#FEDERATION_ENDPOINT_ANNOTATION}, now and on every change: the membership's relay peers.
   */
  public void onPeers(Handler<Map<String, String>> handler) {
    peerHandlers.add(handler);
    context.runOnContext(ignored -> handler.handle(peers));
  }

  /**
   * Stops every remote cluster without withdrawing its services (a restart is not a withdrawal: they stay in the
   * catalog until a claimant republishes them or the mesh's expiry policy withdraws them), waits for the withdrawals of
   * clusters unregistered before, then stops the Secret informers.
   */
  public Future<Void> close() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(ignored -> {
      closed = true;
      List<Future<Void>> stopping = new ArrayList<>();
      clusters.values().forEach(cluster -> stopping.add(cluster.release()));
      stopping.addAll(withdrawing);
      clusters.clear();
      Future.join(stopping).eventually(() -> vertx.executeBlocking(() -> {
        informers.forEach(SharedIndexInformer::stop);
        return null;
      }, false)).onComplete(v -> done.complete());
    });
    return done.future();
  }

  private void changed() {
    context.runOnContext(ignored -> {
      if (!closed && awaitedAtStart != null) {
        reconcile();
      }
    });
  }

  /**
   * Reconciles without overlapping: Secrets are parsed on a worker thread (a kubeconfig may name files), the result
   * applied on the owner context; a change that arrives meanwhile triggers one more pass.
   */
  private Future<Void> reconcile() {
    if (reconciling) {
      reconcileAgain = true;
      return Future.succeededFuture();
    }
    reconciling = true;
    Map<String, Secret> secrets = new TreeMap<>();
    for (SharedIndexInformer<Secret> informer : informers) {
      for (Secret secret : informer.getStore().list()) {
        if (RemoteSecrets.isRemoteSecret(secret)) {
          secrets.put(name(secret), secret);
        }
      }
    }
    return vertx.executeBlocking(() -> parseAll(secrets), false).map(parsed -> {
      apply(secrets, parsed);
      return (Void) null;
    }).eventually(() -> {
      reconciling = false;
      if (reconcileAgain && !closed) {
        reconcileAgain = false;
        return reconcile();
      }
      return Future.succeededFuture();
    });
  }

  private static Map<String, Object> parseAll(Map<String, Secret> secrets) {
    Map<String, Object> parsed = new TreeMap<>();
    secrets.forEach((name, secret) -> {
      try {
        parsed.put(name, RemoteSecrets.parse(secret));
      } catch (RemoteSecretException e) {
        parsed.put(name, e);
      }
    });
    return parsed;
  }

  /** On the owner context: decides which Secret owns which cluster id and starts, rotates or stops clusters. */
  @SuppressWarnings("unchecked")
  private void apply(Map<String, Secret> secrets, Map<String, Object> parsed) {
    if (closed) {
      return;
    }
    problems.clear();
    Map<String, List<Candidate>> candidates = new LinkedHashMap<>();
    for (Secret secret : secrets.values()) {
      Object result = parsed.get(name(secret));
      if (result instanceof RemoteSecretException e) {
        problem(secret, "", RemoteClusterState.INVALID, e.getMessage(), "invalid");
        // Nothing already accepted is lost: clusters this Secret registered keep their last good credentials.
        for (RemoteCluster running : clusters.values()) {
          if (running.credential().secret().equals(name(secret))) {
            candidates.computeIfAbsent(running.clusterId(), id -> new ArrayList<>())
                .add(new Candidate(running.credential(), secret));
          }
        }
        continue;
      }
      for (RemoteCredential credential : (List<RemoteCredential>) result) {
        if (credential.clusterId().equals(localClusterId)) {
          problem(secret, credential.clusterId(), RemoteClusterState.REFUSED, "data[" + credential.clusterId()
              + "]: this is the local cluster's own id (expected: only remote clusters; remove this key)", "local");
          continue;
        }
        candidates.computeIfAbsent(credential.clusterId(), id -> new ArrayList<>())
            .add(new Candidate(credential, secret));
      }
    }
    Map<String, RemoteCredential> winners = new HashMap<>();
    for (Map.Entry<String, List<Candidate>> entry : candidates.entrySet()) {
      String clusterId = entry.getKey();
      List<Candidate> contenders = new ArrayList<>(entry.getValue());
      RemoteCluster running = clusters.get(clusterId);
      // The Secret already serving a cluster id keeps it; otherwise the oldest Secret wins, then by name.
      contenders.sort(Comparator
          .comparing((Candidate c) -> running == null || !running.credential().secret().equals(c.credential().secret()))
          .thenComparing(c -> Objects.requireNonNullElse(c.secret().getMetadata().getCreationTimestamp(), ""))
          .thenComparing(c -> c.credential().secret()));
      Candidate winner = contenders.get(0);
      winners.put(clusterId, winner.credential());
      for (Candidate loser : contenders.subList(1, contenders.size())) {
        problem(loser.secret(), clusterId, RemoteClusterState.REFUSED, "data[" + clusterId + "]: cluster id "
            + clusterId + " is already registered by secret " + winner.credential().secret() + "; secret "
            + loser.credential().secret() + " refused (expected: one Secret per cluster id; delete one of them)",
            "duplicate");
      }
    }
    for (String clusterId : new ArrayList<>(clusters.keySet())) {
      if (!winners.containsKey(clusterId)) {
        Future<Void> withdrawn = clusters.remove(clusterId).withdraw();
        withdrawing.add(withdrawn);
        withdrawn.onComplete(done -> context.runOnContext(v -> withdrawing.remove(withdrawn)));
      }
    }
    for (Map.Entry<String, RemoteCredential> winner : winners.entrySet()) {
      RemoteCluster running = clusters.get(winner.getKey());
      if (running == null) {
        RemoteCluster cluster = new RemoteCluster(context, catalog, settings, metrics, winner.getValue(),
            this::clusterChanged);
        clusters.put(winner.getKey(), cluster);
        cluster.start();
      } else {
        running.rotate(winner.getValue());
      }
    }
    publishPeers(winners);
    updateMetrics();
  }

  private record Candidate(RemoteCredential credential, Secret secret) {
  }

  private void problem(Secret secret, String clusterId, RemoteClusterState state, String message, String reason) {
    String key = name(secret) + "|" + clusterId;
    problems.put(key, new RemoteClusterStatus(clusterId, name(secret), state, message, Instant.now()));
    // Log and count a problem once per Secret version, not on every unrelated reconcile.
    if (reportedProblems.add(key + "|" + secret.getMetadata().getResourceVersion() + "|" + message)) {
      metrics.error(reason);
      LOG.error("remote secrets: {}", message);
    }
  }

  private void clusterChanged(RemoteCluster cluster) {
    updateMetrics();
    checkReady();
  }

  private void checkReady() {
    if (ready.future().isComplete() || awaitedAtStart == null) {
      return;
    }
    for (String clusterId : awaitedAtStart) {
      RemoteCluster cluster = clusters.get(clusterId);
      if (cluster != null && cluster.state() == RemoteClusterState.SYNCING) {
        return;
      }
    }
    LOG.info("remote clusters: ready ({} registered)", clusters.size());
    ready.tryComplete();
  }

  private void readinessTimedOut() {
    if (ready.future().isComplete()) {
      return;
    }
    List<String> waiting = new ArrayList<>();
    clusters.values().stream().filter(c -> c.state() == RemoteClusterState.SYNCING)
        .forEach(c -> waiting.add(c.clusterId()));
    LOG.warn("remote clusters: readiness timeout of {} s reached; ready without {} (they keep syncing)",
        settings.readinessTimeout().toSeconds(), waiting);
    ready.tryComplete();
  }

  private void publishPeers(Map<String, RemoteCredential> winners) {
    Map<String, String> next = new TreeMap<>();
    winners.forEach((id, credential) -> credential.federationEndpoint().ifPresent(endpoint -> next.put(id, endpoint)));
    if (!next.equals(peers)) {
      peers = Map.copyOf(next);
      peerHandlers.forEach(handler -> handler.handle(peers));
    }
  }

  private void updateMetrics() {
    Map<RemoteClusterState, Integer> counts = new EnumMap<>(RemoteClusterState.class);
    clusters.values().forEach(c -> counts.merge(c.state(), 1, Integer::sum));
    problems.values().forEach(p -> counts.merge(p.state(), 1, Integer::sum));
    metrics.counts(counts);
  }

  private List<RemoteClusterStatus> statusNow() {
    List<RemoteClusterStatus> all = new ArrayList<>();
    clusters.values().forEach(cluster -> all.add(cluster.status()));
    all.addAll(problems.values());
    all.sort(Comparator.comparing(RemoteClusterStatus::clusterId).thenComparing(RemoteClusterStatus::secret));
    return all;
  }

  private static String name(Secret secret) {
    return secret.getMetadata().getNamespace() + "/" + secret.getMetadata().getName();
  }

  /** Builds a {@link RemoteClusterRegistry}; each setter validates its argument. */
  public static final class Builder {
    private Vertx vertx;
    private KubernetesClient localClient;
    private String namespace = "istio-system";
    private String localClusterId;
    private Catalog catalog;
    private RemoteSettings settings = RemoteSettings.DEFAULTS;
    private MeterRegistry meters;

    private Builder() {
    }

    public Builder vertx(Vertx value) {
      this.vertx = Objects.requireNonNull(value, "vertx");
      return this;
    }

    /** The client of the cluster this control plane runs in, where the Secrets live. */
    public Builder localClient(KubernetesClient value) {
      this.localClient = Objects.requireNonNull(value, "localClient");
      return this;
    }

    /** The system namespace watched for Secrets (default {@code istio-system}, as Istio). */
    public Builder namespace(String value) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException("namespace: " + value + " (expected: the control plane's namespace)");
      }
      this.namespace = value;
      return this;
    }

    public Builder localClusterId(String value) {
      this.localClusterId = io.meshfed.federation.catalog.ClusterIds.require("localClusterId", value);
      return this;
    }

    public Builder catalog(Catalog value) {
      this.catalog = Objects.requireNonNull(value, "catalog");
      return this;
    }

    public Builder settings(RemoteSettings value) {
      this.settings = Objects.requireNonNull(value, "settings");
      return this;
    }

    public Builder meters(MeterRegistry value) {
      this.meters = Objects.requireNonNull(value, "meters");
      return this;
    }

    public RemoteClusterRegistry build() {
      require("vertx", vertx);
      require("localClient", localClient);
      require("localClusterId", localClusterId);
      require("catalog", catalog);
      require("meters", meters);
      return new RemoteClusterRegistry(this);
    }

    private static void require(String field, Object value) {
      if (value == null) {
        throw new IllegalStateException(field + ": not set (expected: call " + field + "(...) before build())");
      }
    }
  }
}
