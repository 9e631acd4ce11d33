package io.meshfed.federation.catalog;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A Vert.x worker context that owns one stateful component: tasks run one at a time, in order, on worker threads,
 * so the component may make Hazelcast's blocking calls without ever holding an event loop.
 */
final class OwnerContext {

  private final Vertx vertx;
  private final Context context;
  private final String deploymentId;
  /** The first close's undeployment, which every later close returns (a publisher's own and the catalog's may meet). */
  private final AtomicReference<Future<Void>> undeployed = new AtomicReference<>();

  private OwnerContext(Vertx vertx, Context context, String deploymentId) {
    this.vertx = vertx;
    this.context = context;
    this.deploymentId = deploymentId;
  }

  /** Deploys an empty worker verticle and hands out its context. */
  static Future<OwnerContext> create(Vertx vertx) {
    Promise<Context> captured = Promise.promise();
    return vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        captured.complete(context);
        return Future.succeededFuture();
      }
    }, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
        .compose(id -> captured.future().map(context -> new OwnerContext(vertx, context, id)));
  }

  Context context() {
    return context;
  }

  String deploymentId() {
    return deploymentId;
  }

  /**
   * Undeploys the verticle; its timers are cancelled with it. A second close returns the first one's undeployment:
   * undeploying again would fail at once ("Unknown deployment") while the first still runs.
   */
  Future<Void> close() {
    Promise<Void> done = Promise.promise();
    if (!undeployed.compareAndSet(null, done.future())) {
      return undeployed.get();
    }
    vertx.undeploy(deploymentId).recover(failure -> Future.succeededFuture()).onComplete(done);
    return done.future();
  }
}
