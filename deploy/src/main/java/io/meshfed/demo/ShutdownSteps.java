package io.meshfed.demo;

import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the demo has started so far, stopped newest first: a start that fails half-way stops what already runs,
 * and Ctrl-C runs the same sequence. Each step gets its own deadline and runs even if an earlier one failed.
 * Called from the demo's main thread or its shutdown hook, never from an event loop (it waits).
 */
final class ShutdownSteps {

  private static final Logger LOG = LoggerFactory.getLogger(ShutdownSteps.class);
  private static final long STEP_TIMEOUT_SECONDS = 20;

  private record Step(String name, Supplier<Future<?>> stop) {
  }

  private final Deque<Step> steps = new ArrayDeque<>();

  synchronized void add(String name, Supplier<Future<?>> stop) {
    steps.push(new Step(name, stop));
  }

  /** Stops every step, newest first; returns the names of the steps that failed or timed out. */
  java.util.List<String> stopAll() {
    java.util.List<String> failed = new java.util.ArrayList<>();
    while (true) {
      Step step;
      synchronized (this) {
        step = steps.poll();
      }
      if (step == null) {
        return failed;
      }
      try {
        step.stop().get().toCompletionStage().toCompletableFuture().get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failed.add(step.name() + " (interrupted)");
      } catch (Exception e) {
        LOG.warn("stopping {} failed: {}", step.name(), e.toString());
        failed.add(step.name());
      }
    }
  }
}
