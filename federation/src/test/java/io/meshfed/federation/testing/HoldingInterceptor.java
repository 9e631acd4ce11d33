package io.meshfed.federation.testing;

import java.util.concurrent.CountDownLatch;

/**
 * A map interceptor that holds one operation on its partition thread, answered to nobody, until {@link #release()}:
 * a test's subclass says which operation by calling {@link #hold()} from its method for it.
 */
public abstract class HoldingInterceptor extends PassingInterceptor {

  private static final long serialVersionUID = 1L;

  private final CountDownLatch entered = new CountDownLatch(1);
  private final CountDownLatch released = new CountDownLatch(1);

  /** Counted down once the operation reached the member (and, if held, is being held). */
  public CountDownLatch entered() {
    return entered;
  }

  /** Lets a held operation answer. */
  public void release() {
    released.countDown();
  }

  /** Marks the operation as arrived without holding it. */
  protected void arrived() {
    entered.countDown();
  }

  /** Marks the operation as arrived, then holds it until {@link #release()}. */
  protected void hold() {
    arrived();
    Await.waitFor(released);
  }
}
