package io.meshfed.federation.testing;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A map interceptor for the next write to a map (a put or an entry processor's setValue, such as an epoch claim):
 * stored, then held on its partition thread until {@link #release()}, or failed, so the caller gets an error. Later
 * writes pass. Install it with {@code IMap.addInterceptor} on the member the test runs.
 */
public final class FirstWrite extends HoldingInterceptor {

  private static final long serialVersionUID = 1L;

  private final boolean fail;
  private final AtomicBoolean first = new AtomicBoolean(true);

  private FirstWrite(boolean fail) {
    this.fail = fail;
  }

  /** Holds the next write, answered to nobody, until {@link #release()}. */
  public static FirstWrite held() {
    return new FirstWrite(false);
  }

  /** Fails the next write: its caller's call fails, as on a member in trouble. */
  public static FirstWrite failed() {
    return new FirstWrite(true);
  }

  @Override
  public void afterPut(Object value) {
    if (!first.compareAndSet(true, false)) {
      return;
    }
    if (fail) {
      arrived();
      throw new IllegalStateException("the test failed this write");
    }
    hold();
  }
}
