package io.meshfed.federation.testing;

/**
 * A map interceptor that holds every removal (a remove, or an entry processor's setValue(null), such as a withdrawal)
 * on its partition thread until {@link #release()}. Install it with {@code IMap.addInterceptor} on the member the
 * test runs.
 */
public final class StuckRemoval extends HoldingInterceptor {

  private static final long serialVersionUID = 1L;

  @Override
  public void afterRemove(Object value) {
    hold();
  }
}
