package io.meshfed.federation.remote;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.meshfed.federation.catalog.Catalog;
import io.meshfed.federation.catalog.CloseLimit;
import io.meshfed.federation.catalog.ClusterPublisher;
import io.meshfed.federation.catalog.FencedException;
import io.meshfed.federation.catalog.Reach;
import io.meshfed.federation.discovery.ExportIndex;
import io.meshfed.federation.discovery.ExportSettings;
import io.meshfed.federation.discovery.ExportSink;
import io.meshfed.federation.discovery.InformerFeed;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One remote cluster's discovery: a fabric8 client from its kubeconfig, informers feeding its {@link ExportIndex},
 * and the publisher that writes it into the catalog (primary–remote: the remote has no control plane of its own).
 *
 * <p>Owned by the registry's context. Rotation builds the new client and feed beside the running ones, waits for
 * the new feed to sync, swaps (the index emits only differences, so endpoints never flap), then stops the old ones.
 * A rotation that fails to sync leaves the old credentials serving.
 */
final class RemoteCluster {

  private static final Logger LOG = LoggerFactory.getLogger(RemoteCluster.class);

  private record Connection(KubernetesClient client, InformerFeed feed) {
  }

  private final Context context;
  private final Catalog catalog;
  private final RemoteSettings settings;
  private final RemoteMetrics metrics;
  private final Consumer<RemoteCluster> changed;
  private final String clusterId;

  private RemoteCredential credential;
  private RemoteCredential pendingCredential;
  private ExportIndex index;
  private ClusterPublisher publisher;
  /** The publisher being claimed, until it arrives: a withdrawal or release waits for it, then finishes it. */
  private Future<ClusterPublisher> claiming;
  private Connection live;
  private Connection pending;
  private RemoteClusterState state = RemoteClusterState.SYNCING;
  private String message = "";
  private Instant since = Instant.now();
  private long lastWatching = System.nanoTime();
  private long healthTimer = -1;
  private long syncTimer = -1;
  private boolean stopped;

  RemoteCluster(Context context, Catalog catalog, RemoteSettings settings, RemoteMetrics metrics,
      RemoteCredential credential, Consumer<RemoteCluster> changed) {
    this.context = context;
    this.catalog = catalog;
    this.settings = settings;
    this.metrics = metrics;
    this.credential = credential;
    this.clusterId = credential.clusterId();
    this.changed = changed;
  }

  String clusterId() {
    return clusterId;
  }

  RemoteCredential credential() {
    return credential;
  }

  RemoteClusterStatus status() {
    return new RemoteClusterStatus(clusterId, credential.secret(), state, message, since);
  }

  RemoteClusterState state() {
    return state;
  }

  /** On the owner context: connects with the current credential. */
  void start() {
    LOG.info("remote cluster {}: registered by secret {}", clusterId, credential.secret());
    syncTimer = context.owner().setTimer(settings.syncTimeout().toMillis(), id -> {
      if (!stopped && live == null) {
        metrics.syncTimeout(clusterId);
        transition(RemoteClusterState.SYNC_TIMEOUT, "not synced within " + settings.syncTimeout().toSeconds()
            + " s: the API server at " + server() + " is slow or unreachable; still trying");
      }
    });
    healthTimer = context.owner().setPeriodic(settings.healthCheckInterval().toMillis(), id -> checkWatches());
    connect(credential);
  }

  /** On the owner context: swaps to {@code next} without withdrawing anything. */
  void rotate(RemoteCredential next) {
    if (stopped || next.digest().equals(credential.digest())
        || (pendingCredential != null && next.digest().equals(pendingCredential.digest()))) {
      return;
    }
    LOG.info("remote cluster {}: credentials in secret {} changed; rotating", clusterId, next.secret());
    if (pending != null) {
      close(pending);
      pending = null;
    }
    if (live == null) {
      // Never synced with the old credentials: nothing to keep serving, just start over.
      credential = next;
      connect(next);
      return;
    }
    connect(next);
  }

  private void connect(RemoteCredential using) {
    pendingCredential = using;
    context.owner().executeBlocking(() -> newClient(using), false).onComplete(built -> {
      if (stopped) {
        if (built.succeeded()) {
          closeClient(built.result());
        }
        return;
      }
      if (built.failed()) {
        transition(live == null ? RemoteClusterState.INVALID : state, "cannot build a client from the kubeconfig: "
            + built.cause().getClass().getSimpleName());
        return;
      }
      if (index == null) {
        index = new ExportIndex(clusterId, exportSettings(using), new DeferredSink());
      }
      Connection connection = new Connection(built.result(),
          InformerFeed.start(clusterId, context, built.result(), index));
      pending = connection;
      connection.feed().synced().onComplete(synced -> context.runOnContext(v -> onSynced(connection, synced.cause())));
    });
  }

  private void onSynced(Connection connection, Throwable failure) {
    if (stopped || connection != pending) {
      return;
    }
    if (failure != null) {
      pending = null;
      pendingCredential = null;
      close(connection);
      String why = "informers failed to start against " + server() + ": " + failure.getClass().getSimpleName();
      if (live == null) {
        transition(RemoteClusterState.UNREACHABLE, why + "; retrying in " + settings.retryInterval().toSeconds()
            + " s");
        context.owner().setTimer(settings.retryInterval().toMillis(), id -> {
          if (!stopped && live == null && pending == null) {
            connect(credential);
          }
        });
      } else {
        metrics.error("rotation_failed");
        message = "rotated credentials failed to sync (" + why + "); still serving with the previous ones";
        LOG.warn("remote cluster {}: {}", clusterId, message);
        changed.accept(this);
      }
      return;
    }
    Connection previous = live;
    if (previous != null) {
      // Detached, it forwards nothing: closed now, not once the publisher comes (a claim that never returns would
      // leave its client and informers watching the remote API server for good; stop closes only live and pending).
      previous.feed().detach();
      close(previous);
    }
    live = connection;
    pending = null;
    if (pendingCredential != null) {
      credential = pendingCredential;
      pendingCredential = null;
    }
    if (publisher != null) {
      publisher.updateInfo(credential.info());
    }
    context.owner().cancelTimer(syncTimer);
    lastWatching = System.nanoTime();
    publishLive(connection).onSuccess(published -> {
      if (previous != null) {
        LOG.info("remote cluster {}: rotated to the new credentials without withdrawing endpoints", clusterId);
      }
    });
  }

  /**
   * Claims the publisher if need be, then publishes everything {@code connection} sees and reports SYNCED; a failed
   * claim reports UNREACHABLE, and the health check claims again.
   */
  private Future<ClusterPublisher> publishLive(Connection connection) {
    return ensurePublisher().onSuccess(p -> {
      if (!stopped && live == connection) {
        connection.feed().goLive();
        p.replaceAll(index.exported().values());
        transition(RemoteClusterState.SYNCED, "");
      }
    }).onFailure(e -> {
      if (!stopped) {
        transition(RemoteClusterState.UNREACHABLE, "cannot publish: " + e.getMessage());
      }
    });
  }

  /** The cluster appears in the catalog only once it has synced, so a dead API server never shows an empty one. */
  private Future<ClusterPublisher> ensurePublisher() {
    if (publisher != null) {
      return Future.succeededFuture(publisher);
    }
    if (claiming == null) {
      Promise<ClusterPublisher> ready = Promise.promise();
      // A standby: every control-plane replica registers the same Secret and claims the cluster, so the later claim
      // fences the earlier, which stands by to take over should the owner stop.
      catalog.standbyPublisher(credential.info()).onComplete(result -> context.runOnContext(v -> {
        claiming = null;
        if (result.succeeded()) {
          publisher = result.result();
          if (!stopped) {
            // The claim carried the credential of when it was sent; a rotation that synced meanwhile found no
            // publisher to tell (a no-op when nothing changed).
            publisher.updateInfo(credential.info());
          }
        }
        ready.handle(result);
      }));
      claiming = ready.future();
    }
    return claiming;
  }

  private void checkWatches() {
    if (stopped || live == null) {
      return;
    }
    if (live.feed().watching()) {
      lastWatching = System.nanoTime();
      if (state == RemoteClusterState.UNREACHABLE) {
        if (publisher == null) {
          // Unreachable because the claim failed ("cannot publish"): claim again, at most one claim at a time.
          if (claiming == null) {
            publishLive(live);
          }
          return;
        }
        publisher.heartbeating(true);
        transition(RemoteClusterState.SYNCED, "");
      }
      return;
    }
    long silentMillis = (System.nanoTime() - lastWatching) / 1_000_000;
    if (state == RemoteClusterState.SYNCED && silentMillis >= settings.unreachableAfter().toMillis()) {
      metrics.unreachable(clusterId);
      if (publisher != null) {
        publisher.heartbeating(false);
      }
      transition(RemoteClusterState.UNREACHABLE, "API server at " + server() + " unreachable for " + silentMillis
          + " ms: heartbeats suspended; a replica that reaches it takes over once the lease lapses, else the mesh's "
          + "expiry policy applies to its endpoints");
    }
  }

  /**
   * On the owner context: no Secret registers the cluster any more (its Secret deleted or relabelled, its key
   * removed, or another Secret's registration preferred), so it stops everything and withdraws its services (the
   * replica that owns the cluster does; a standby, whose publisher stands by, only forgets them). Completes
   * once the publisher, even one still being claimed, has withdrawn them and is closed, and in any case within three
   * times the catalog's close timeout (for the claim, the withdrawal and the close), however the member answers.
   */
  Future<Void> withdraw() {
    halt();
    LOG.info("remote cluster {}: no secret registers it any more; withdrawing its services", clusterId);
    return finish(this::withdrawAndClose, 3, "withdrawn and closed");
  }

  /**
   * On the owner context: this control plane is stopping, so it stops everything and closes the publisher without
   * withdrawing anything. A restart is not a withdrawal: the services stay in the catalog, stale once the lease runs
   * out, until the next claimant (this control plane restarted, or another primary with the same Secret starting)
   * republishes them, or the mesh's expiry policy withdraws them. Completes within twice the catalog's close timeout
   * (for a claim still out, and the close).
   */
  Future<Void> release() {
    halt();
    LOG.info("remote cluster {}: control plane stopping; its services stay in the catalog for the next claimant",
        clusterId);
    return finish(ClusterPublisher::close, 2, "closed");
  }

  private void halt() {
    stopped = true;
    context.owner().cancelTimer(healthTimer);
    context.owner().cancelTimer(syncTimer);
    if (pending != null) {
      close(pending);
    }
    if (live != null) {
      close(live);
    }
  }

  /**
   * Runs {@code last} on the publisher, waiting for one still being claimed. A claim that fails leaves nothing to
   * finish. One that hangs (a member shutting down may never answer) holds the stop only {@code limits} close timeouts:
   * the rest goes on in the background, so a publisher that arrives later is still finished.
   */
  private Future<Void> finish(Function<ClusterPublisher, Future<Void>> last, int limits, String what) {
    if (publisher != null) {
      return last.apply(publisher);
    }
    if (claiming == null) {
      return Future.succeededFuture();
    }
    Duration overall = catalog.settings().closeTimeout().multipliedBy(limits);
    return CloseLimit.within(claiming.compose(last, claimFailed -> Future.succeededFuture()), overall,
        () -> LOG.warn("remote cluster {}: its publisher, still being claimed when it stopped, was not {} within {} "
            + "ms; that goes on in the background", clusterId, what, overall.toMillis()))
        .otherwiseEmpty();
  }

  /**
   * Withdraws everything, waiting at most the close timeout, then closes the publisher (whose close keeps the same
   * limit, and warns on its own when it passes).
   */
  private Future<Void> withdrawAndClose(ClusterPublisher last) {
    Duration limit = catalog.settings().closeTimeout();
    return CloseLimit.within(last.replaceAll(List.of()), limit, () -> LOG.warn("remote cluster {}: withdrawing its "
        + "services did not finish within {} ms (the federation member may be shutting down); closing its publisher, "
        + "its entries expire with its lease", clusterId, limit.toMillis()))
        .transform(withdrawn -> {
          if (withdrawn.failed() && withdrawn.cause() instanceof FencedException) {
            LOG.debug("remote cluster {}: not withdrawn, another publisher owns it now", clusterId);
          } else if (withdrawn.failed() && !CloseLimit.exceeded(withdrawn.cause())) {
            LOG.warn("remote cluster {}: withdrawing its services failed; its entries expire with its lease: {}",
                clusterId, withdrawn.cause().toString());
          }
          return last.close();
        });
  }

  private void close(Connection connection) {
    connection.feed().stop().onComplete(done -> closeClient(connection.client()));
  }

  private void closeClient(KubernetesClient client) {
    context.owner().executeBlocking(() -> {
      client.close();
      return null;
    }, false);
  }

  private void transition(RemoteClusterState next, String why) {
    if (next != state || !why.equals(message)) {
      if (next != state) {
        since = Instant.now();
      }
      state = next;
      message = why;
      if (next == RemoteClusterState.SYNCED) {
        LOG.info("remote cluster {}: synced", clusterId);
      } else {
        LOG.warn("remote cluster {}: {}: {}", clusterId, next, why);
      }
      changed.accept(this);
    }
  }

  private String server() {
    return credential.server();
  }

  private static KubernetesClient newClient(RemoteCredential credential) {
    Config config = Config.fromKubeconfig(null, credential.kubeconfig(), null);
    // Fail fast and let the informers' own backoff retry, rather than hold threads on a dead API server.
    config.setConnectionTimeout(5_000);
    config.setRequestTimeout(10_000);
    return new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(new JdkHttpClientFactory()).build();
  }

  private ExportSettings exportSettings(RemoteCredential using) {
    // Multi-network when the cluster names its network and gateways; flat otherwise (Istio's multi-network docs).
    Reach reach = using.info().gateways().isEmpty() ? Reach.ENDPOINTS : Reach.GATEWAY;
    return new ExportSettings(reach, using.info().locality(), settings.namespaceSelector());
  }

  /** Publishes once a publisher exists; before the first sync nothing is live, so nothing is dropped. */
  private final class DeferredSink implements ExportSink {
    @Override
    public void exported(io.meshfed.federation.catalog.ExportedService service) {
      if (publisher != null) {
        publisher.publish(service);
      }
    }

    @Override
    public void withdrawn(io.meshfed.federation.catalog.ServiceKey key) {
      if (publisher != null) {
        publisher.withdraw(key);
      }
    }
  }
}
