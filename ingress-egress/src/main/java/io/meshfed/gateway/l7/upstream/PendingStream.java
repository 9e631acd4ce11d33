package io.meshfed.gateway.l7.upstream;

/** A request waiting for a connection; {@link #cancel()} takes it out of the queue (timeout, client gone). */
public final class PendingStream {

  final StreamListener listener;
  final StreamCallback callback;
  private final HostPool pool;
  boolean done;

  PendingStream(HostPool pool, StreamListener listener, StreamCallback callback) {
    this.pool = pool;
    this.listener = listener;
    this.callback = callback;
  }

  /** Gives up waiting; no callback follows. */
  public void cancel() {
    if (!done) {
      done = true;
      pool.cancelled(this);
    }
  }
}
