package io.meshfed.federation.discovery;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds an {@link ExportIndex} from one cluster's API server with fabric8 informers on Services, EndpointSlices,
 * Pods, Namespaces and ServiceExports.
 *
 * <p>Until every informer has listed, events stay in the informers' own caches; then the caches replace the index's
 * content in one step ({@link ExportIndex#replaceAll}) and events flow. That makes client rotation flap-free: a new
 * feed fills its caches beside the old one, swaps in only the differences, and the old feed is stopped afterwards.
 *
 * <p>Informer callbacks arrive on fabric8's threads and hop onto the index's owner context; the fabric8 calls that
 * may block (starting, closing) run on worker threads.
 */
public final class InformerFeed {

  private static final Logger LOG = LoggerFactory.getLogger(InformerFeed.class);

  private final String clusterId;
  private final Context context;
  private final ExportIndex index;
  private final List<SharedIndexInformer<? extends HasMetadata>> informers =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Promise<Void> synced = Promise.promise();
  // Read and written on the owner context only.
  private boolean live;
  private volatile boolean stopped;

  private InformerFeed(String clusterId, Context context, ExportIndex index) {
    this.clusterId = clusterId;
    this.context = context;
    this.index = index;
  }

  /**
   * Creates the informers and starts listing; {@link #synced()} completes once the first lists are in caches. The
   * index is not touched until {@link #goLive()}.
   */
  public static InformerFeed start(String clusterId, Context context, KubernetesClient client, ExportIndex index) {
    InformerFeed feed = new InformerFeed(clusterId, context, index);
    context.owner().<Void>executeBlocking(() -> {
      feed.startInformers(client);
      return null;
    }, false).onFailure(feed.synced::tryFail);
    return feed;
  }

  private void startInformers(KubernetesClient client) {
    informers.add(client.services().inAnyNamespace().runnableInformer(0));
    informers.add(client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0));
    informers.add(client.pods().inAnyNamespace().runnableInformer(0));
    informers.add(client.namespaces().runnableInformer(0));
    List<CompletableFuture<Void>> started = new ArrayList<>();
    for (SharedIndexInformer<? extends HasMetadata> informer : informers) {
      attach(informer);
      started.add(informer.start().toCompletableFuture());
    }
    SharedIndexInformer<ServiceExport> exports = client.resources(ServiceExport.class).inAnyNamespace()
        .runnableInformer(0);
    attach(exports);
    started.add(exports.start().toCompletableFuture().handle((ok, failure) -> {
      if (failure == null) {
        informers.add(exports);
        return null;
      }
      if (notFound(failure)) {
        // A cluster without the MCS CRD exports nothing; that is a state to report, not a reason to stay unsynced.
        exports.stop();
        LOG.warn("cluster {}: the ServiceExport CRD ({}) is not installed: no Service is exported until it is and"
            + " this cluster's client is rebuilt", clusterId, ServiceExport.API_VERSION);
        return null;
      }
      throw new java.util.concurrent.CompletionException(failure);
    }));
    CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).whenComplete((ok, failure) -> {
      if (failure != null) {
        synced.tryFail(failure);
      } else {
        synced.tryComplete();
      }
    });
  }

  private static boolean notFound(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof io.fabric8.kubernetes.client.KubernetesClientException k8s && k8s.getCode() == 404) {
        return true;
      }
    }
    return false;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void attach(SharedIndexInformer<? extends HasMetadata> informer) {
    ((SharedIndexInformer) informer).addEventHandler(new ResourceEventHandler<HasMetadata>() {
      @Override
      public void onAdd(HasMetadata object) {
        hop(() -> index.upsert(object));
      }

      @Override
      public void onUpdate(HasMetadata before, HasMetadata after) {
        hop(() -> index.upsert(after));
      }

      @Override
      public void onDelete(HasMetadata object, boolean finalStateUnknown) {
        hop(() -> index.delete(object));
      }
    });
  }

  private void hop(Runnable change) {
    if (stopped) {
      return;
    }
    context.runOnContext(ignored -> {
      if (live && !stopped) {
        change.run();
      }
    });
  }

  /** Completes (on a fabric8 thread) once every informer has listed; fails if one could not start. */
  public Future<Void> synced() {
    return synced.future();
  }

  /** Must run on the owner context: replaces the index's content with the caches and lets events through. */
  public void goLive() {
    List<HasMetadata> all = new ArrayList<>();
    for (SharedIndexInformer<? extends HasMetadata> informer : informers) {
      all.addAll(informer.getStore().list());
    }
    index.replaceAll(all);
    live = true;
    LOG.debug("cluster {}: informer feed live with {} objects", clusterId, all.size());
  }

  /** Must run on the owner context: stops forwarding at once (the informers stop with {@link #stop()}). */
  public void detach() {
    live = false;
  }

  /** True while every informer holds an open watch (the API server is reachable). */
  public boolean watching() {
    return !informers.isEmpty() && informers.stream().allMatch(SharedIndexInformer::isWatching);
  }

  /** Stops the informers on a worker thread. */
  public Future<Void> stop() {
    stopped = true;
    return context.owner().executeBlocking(() -> {
      informers.forEach(SharedIndexInformer::stop);
      return null;
    }, false);
  }
}
