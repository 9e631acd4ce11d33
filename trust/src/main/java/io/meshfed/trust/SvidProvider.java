package io.meshfed.trust;

import java.util.function.Consumer;

/**
 * Where a TLS endpoint gets its SVID: {@link #current()} for new handshakes, and a callback when it rotates.
 * {@link io.meshfed.trust.rotation.RotatingSvid} is the production implementation; {@link #fixed} serves tests and
 * tools that hold one SVID.
 */
public interface SvidProvider {

  /**
   * The SVID to present now.
   *
   * @throws IllegalStateException when the only SVID held has expired: meshfed never serves an expired cert silently
   */
  Svid current();

  /**
   * Calls {@code listener} with every new SVID, on the provider's owner context. Returns a handle that removes it.
   */
  AutoCloseable onRotation(Consumer<Svid> listener);

  /** A provider that always returns {@code svid} and never rotates. */
  static SvidProvider fixed(Svid svid) {
    return new SvidProvider() {
      @Override
      public Svid current() {
        if (svid.isExpired(java.time.Instant.now())) {
          throw new IllegalStateException(svid.spiffeId() + ": SVID expired at " + svid.notAfter());
        }
        return svid;
      }

      @Override
      public AutoCloseable onRotation(Consumer<Svid> listener) {
        return () -> { };
      }
    };
  }
}
