package io.meshfed.gateway.l7.proxy;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One re-arming timer per downstream stream for the deadlines of its exchange in progress (the route timeout and the
 * stream idle timeout). Requests on a kept-alive connection only push deadlines later, so the timer is scheduled
 * about once per timeout period instead of two schedules and two cancels per request; when it fires, the exchange
 * in progress checks its own deadlines and asks again for the next one. Event-loop confined.
 */
final class StreamDeadline {

  private final EventLoop loop;
  private final Runnable onDue;
  private ScheduledFuture<?> timer;
  private long dueAt;

  StreamDeadline(EventLoop loop, Runnable onDue) {
    this.loop = loop;
    this.onDue = onDue;
  }

  /** Makes sure the timer fires by {@code atNanos} ({@link System#nanoTime()} scale); an earlier timer is kept. */
  void by(long atNanos) {
    if (timer != null) {
      if (dueAt - atNanos <= 0) {
        return;
      }
      timer.cancel(false);
    }
    dueAt = atNanos;
    timer = loop.schedule(this::fire, Math.max(0, atNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void fire() {
    timer = null;
    onDue.run();
  }
}
