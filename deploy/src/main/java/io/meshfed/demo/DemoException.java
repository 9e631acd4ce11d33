package io.meshfed.demo;

/**
 * Why the demo could not start, in one line a user can act on (what failed, where, and what to do). Its
 * {@link #unavailable()} flag says the failure is a capability this build lacks rather than a fault: the launcher
 * exits 69 for that, 1 otherwise.
 */
public final class DemoException extends RuntimeException {

  private final boolean unavailable;

  private DemoException(String message, Throwable cause, boolean unavailable) {
    super(message, cause);
    this.unavailable = unavailable;
  }

  /** A step failed. */
  public static DemoException failed(String message, Throwable cause) {
    return new DemoException(message, cause, false);
  }

  /** A capability the demo needs is not part of this build. */
  public static DemoException unavailable(String message) {
    return new DemoException(message, null, true);
  }

  public boolean unavailable() {
    return unavailable;
  }
}
