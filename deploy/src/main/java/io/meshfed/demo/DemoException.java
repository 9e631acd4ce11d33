package io.meshfed.demo;

/** Why the demo could not start, in one line a user can act on: what failed, where, and what to do. */
public final class DemoException extends RuntimeException {

  private DemoException(String message, Throwable cause) {
    super(message, cause);
  }

  /** A step failed. */
  public static DemoException failed(String message, Throwable cause) {
    return new DemoException(message, cause);
  }
}
