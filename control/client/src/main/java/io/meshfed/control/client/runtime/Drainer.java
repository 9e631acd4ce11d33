package io.meshfed.control.client.runtime;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drain state machine: stop accepting everywhere, poll what is in flight until it reaches zero or the deadline
 * passes, then close the rest. It runs on one context; {@link #drain(String)} hops onto it, and a second call
 * returns the drain already under way.
 */
final class Drainer {

  private static final Logger LOG = LoggerFactory.getLogger(Drainer.class);
  private static final long POLL_MILLIS = 50;
  private static final long LOG_EVERY_MILLIS = 1000;

  private final Vertx vertx;
  private final Context context;
  private final Readiness readiness;
  private final Duration timeout;
  private final Clock clock;
  private final Set<Drainable> drainables = new CopyOnWriteArraySet<>();
  // Owned by the context.
  private Promise<DrainReport> drain;

  Drainer(Vertx vertx, Context context, Readiness readiness, Duration timeout, Clock clock) {
    this.vertx = vertx;
    this.context = context;
    this.readiness = readiness;
    this.timeout = timeout;
    this.clock = clock;
  }

  void register(Drainable drainable) {
    drainables.add(drainable);
  }

  void unregister(Drainable drainable) {
    drainables.remove(drainable);
  }

  int inFlight() {
    return inFlight(List.copyOf(drainables));
  }

  Duration timeout() {
    return timeout;
  }

  Future<DrainReport> drain(String reason) {
    Promise<DrainReport> result = Promise.promise();
    context.runOnContext(unused -> start(reason).onComplete(result));
    return result.future();
  }

  private Future<DrainReport> start(String reason) {
    if (drain != null) {
      return drain.future();
    }
    drain = Promise.promise();
    Instant started = clock.instant();
    Instant deadline = started.plus(timeout);
    List<Drainable> targets = List.copyOf(drainables);
    readiness.drainProgress(new DrainProgress(reason, started, deadline, inFlight(targets), false));
    LOG.info("drain started ({}): no longer ready; stopping {} listener(s) from accepting; in-flight work has {} s",
        reason, targets.size(), timeout.toMillis() / 1000.0);
    // Polling starts at once: a listener's stopAccepting future may complete only when its last connection
    // closes (Vert.x's graceful shutdown does), and the deadline must hold regardless.
    for (Drainable drainable : targets) {
      stopAccepting(drainable).onFailure(failure ->
          LOG.warn("drain ({}): {} failed to stop accepting: {}", reason, drainable.name(), failure.toString()));
    }
    int atStart = inFlight(targets);
    LOG.info("drain ({}): accepting stopped; {} in flight{}", reason, atStart, breakdown(targets));
    poll(reason, started, deadline, targets, atStart);
    return drain.future();
  }

  private void poll(String reason, Instant started, Instant deadline, List<Drainable> targets, int atStart) {
    long[] lastLog = {System.nanoTime()};
    if (finishIfDone(reason, started, deadline, targets, atStart)) {
      return;
    }
    vertx.setPeriodic(POLL_MILLIS, timer -> {
      int inFlight = inFlight(targets);
      readiness.drainProgress(new DrainProgress(reason, started, deadline, inFlight, false));
      if (inFlight == 0 || !clock.instant().isBefore(deadline)) {
        vertx.cancelTimer(timer);
        finishIfDone(reason, started, deadline, targets, atStart);
      } else if (System.nanoTime() - lastLog[0] >= LOG_EVERY_MILLIS * 1_000_000) {
        lastLog[0] = System.nanoTime();
        LOG.info("drain ({}): {} still in flight{}, {} s to the deadline", reason, inFlight, breakdown(targets),
            Math.max(0, Duration.between(clock.instant(), deadline).toMillis()) / 1000.0);
      }
    });
  }

  /** Finishes when nothing is in flight, or force-closes at the deadline; false while neither holds. */
  private boolean finishIfDone(String reason, Instant started, Instant deadline, List<Drainable> targets,
      int atStart) {
    int inFlight = inFlight(targets);
    if (inFlight == 0) {
      finish(reason, started, deadline, atStart, 0);
      return true;
    }
    if (clock.instant().isBefore(deadline)) {
      return false;
    }
    LOG.warn("drain ({}): deadline passed; closing {} still in flight{}", reason, inFlight, breakdown(targets));
    Future.join(targets.stream().map(Drainer::closeRemaining).toList()).onComplete(closed -> {
      if (closed.failed()) {
        LOG.warn("drain ({}): closing what was left failed: {}", reason, closed.cause().toString());
      }
      finish(reason, started, deadline, atStart, inFlight);
    });
    return true;
  }

  private void finish(String reason, Instant started, Instant deadline, int atStart, int forceClosed) {
    DrainReport report = new DrainReport(reason, started, Duration.between(started, clock.instant()), atStart,
        forceClosed);
    readiness.drainProgress(new DrainProgress(reason, started, deadline, 0, true));
    if (report.clean()) {
      LOG.info("drain ({}) finished in {} ms: all {} in-flight finished", reason, report.took().toMillis(), atStart);
    } else {
      LOG.warn("drain ({}) finished in {} ms: {} of {} in flight were closed at the deadline", reason,
          report.took().toMillis(), forceClosed, atStart);
    }
    drain.complete(report);
  }

  private static Future<Void> stopAccepting(Drainable drainable) {
    try {
      return drainable.stopAccepting();
    } catch (RuntimeException e) {
      return Future.failedFuture(new IllegalStateException(drainable.name() + ": stopAccepting failed", e));
    }
  }

  private static Future<Void> closeRemaining(Drainable drainable) {
    try {
      return drainable.closeRemaining();
    } catch (RuntimeException e) {
      return Future.failedFuture(new IllegalStateException(drainable.name() + ": closeRemaining failed", e));
    }
  }

  private static int inFlight(List<Drainable> targets) {
    int total = 0;
    for (Drainable drainable : targets) {
      total += inFlightOf(drainable);
    }
    return total;
  }

  private static int inFlightOf(Drainable drainable) {
    try {
      return Math.max(0, drainable.inFlight());
    } catch (RuntimeException e) {
      LOG.warn("drain: {} failed to report its in-flight count: {}", drainable.name(), e.toString());
      return 0;
    }
  }

  private static String breakdown(List<Drainable> targets) {
    String parts = targets.stream().filter(drainable -> inFlightOf(drainable) > 0)
        .map(drainable -> drainable.name() + ": " + inFlightOf(drainable)).collect(Collectors.joining(", "));
    return parts.isEmpty() ? "" : " (" + parts + ")";
  }
}
