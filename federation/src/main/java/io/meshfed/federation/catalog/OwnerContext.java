package io.meshfed.federation.catalog;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;

/**
 * A Vert.x worker context that owns one stateful component: tasks run one at a time, in order, on worker threads,
 * so the component may make Hazelcast's blocking calls without ever holding an event loop.
 */
record OwnerContext(Vertx vertx, Context context, String deploymentId) {

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

  /** Undeploys the verticle; its timers are cancelled with it. */
  Future<Void> close() {
    return vertx.undeploy(deploymentId).recover(failure -> Future.succeededFuture());
  }
}
