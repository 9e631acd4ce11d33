package io.meshfed.trust;

/** PEM text that cannot be read: {@link #source()} names where it came from (a file, a field, a response). */
public final class PemException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String source;

  PemException(String source, String problem, Throwable cause) {
    super(source + ": " + problem, cause);
    this.source = source;
  }

  /** Where the PEM text came from, as the caller named it. */
  public String source() {
    return source;
  }
}
