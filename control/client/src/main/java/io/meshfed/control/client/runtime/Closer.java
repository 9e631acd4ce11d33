package io.meshfed.control.client.runtime;

import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a start has opened so far, closed in reverse order: a start that fails half-way closes what already bound
 * (Vert.x's rule), and a graceful stop is the same sequence. Each step is closed even if an earlier close failed.
 * Used by the control plane and the gateway processes.
 */
public final class Closer {

  private static final Logger LOG = LoggerFactory.getLogger(Closer.class);

  private record Step(String name, Supplier<Future<?>> close) {
  }

  private final Deque<Step> steps = new ArrayDeque<>();

  /** Registers how to undo a step that succeeded. */
  public synchronized void add(String name, Supplier<Future<?>> close) {
    steps.push(new Step(name, close));
  }

  /** Closes every step, newest first; completes when all have completed, successfully or not. */
  public Future<Void> closeAll() {
    Step step;
    synchronized (this) {
      step = steps.poll();
    }
    if (step == null) {
      return Future.succeededFuture();
    }
    Future<?> closing;
    try {
      closing = step.close().get();
    } catch (RuntimeException e) {
      closing = Future.failedFuture(e);
    }
    return closing.transform(result -> {
      if (result.failed()) {
        LOG.warn("closing {} failed: {}", step.name(), result.cause().toString());
      } else {
        LOG.debug("closed {}", step.name());
      }
      return closeAll();
    });
  }
}
