package io.meshfed.control.plane.ca;

/**
 * A CA caller could not prove an identity: no credential, an invalid or foreign token, a certificate that does not
 * verify. The CA answers {@code UNAUTHENTICATED} with this message, which names what was wrong and what is expected;
 * it never contains the token.
 */
public final class CallerRejectedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public CallerRejectedException(String message) {
    super(message);
  }
}
