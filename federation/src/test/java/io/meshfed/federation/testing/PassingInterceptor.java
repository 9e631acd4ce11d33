package io.meshfed.federation.testing;

import com.hazelcast.map.MapInterceptor;

/** A map interceptor that changes nothing: a test's interceptor overrides only the operation it holds or fails. */
public abstract class PassingInterceptor implements MapInterceptor {

  private static final long serialVersionUID = 1L;

  @Override
  public Object interceptGet(Object value) {
    return null;
  }

  @Override
  public void afterGet(Object value) {
  }

  @Override
  public Object interceptPut(Object oldValue, Object newValue) {
    return null;
  }

  @Override
  public void afterPut(Object value) {
  }

  @Override
  public Object interceptRemove(Object removedValue) {
    return null;
  }

  @Override
  public void afterRemove(Object value) {
  }
}
