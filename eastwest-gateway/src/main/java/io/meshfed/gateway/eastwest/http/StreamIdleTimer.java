package io.meshfed.gateway.eastwest.http;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Envoy's stream idle timeout for one exchange: {@code onIdle} runs once no byte of the stream has moved either way
 * for the timeout (0 disables it). One timer that, when it finds activity since it was set, re-arms for the rest of
 * the period, so activity itself only writes a timestamp. Event-loop confined.
 */
final class StreamIdleTimer {

  private final EventExecutor loop;
  private final long timeoutNanos;
  private final Runnable onIdle;
  private long lastActivity;
  private ScheduledFuture<?> timer;

  StreamIdleTimer(EventExecutor loop, Duration timeout, Runnable onIdle) {
    this.loop = loop;
    this.timeoutNanos = timeout.toNanos();
    this.onIdle = onIdle;
  }

  /** Starts the period; the stream's headers have just moved. */
  void start() {
    lastActivity = System.nanoTime();
    if (timeoutNanos > 0) {
      schedule(timeoutNanos);
    }
  }

  /** Bytes of the stream moved: the period starts again. */
  void activity() {
    lastActivity = System.nanoTime();
  }

  void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void schedule(long delayNanos) {
    timer = loop.schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void check() {
    timer = null;
    long left = lastActivity + timeoutNanos - System.nanoTime();
    if (left > 0) {
      schedule(left);
    } else {
      onIdle.run();
    }
  }
}
