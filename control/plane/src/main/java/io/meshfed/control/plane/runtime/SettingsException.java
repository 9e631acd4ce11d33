package io.meshfed.control.plane.runtime;

/**
 * A settings file (or a command-line override) is invalid. The message reads
 * {@code control-plane.yaml:12:9: ca.mode: "foo" (expected: local, vault or vault-sign)}; {@link #source()} and
 * {@link #key()} carry the parts.
 */
public final class SettingsException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String source;
  private final String key;

  SettingsException(String source, String key, String message) {
    super(source + ": " + (key.isEmpty() ? "" : key + ": ") + message);
    this.source = source;
    this.key = key;
  }

  /** The file (with line and column when known) or {@code command line}. */
  public String source() {
    return source;
  }

  /** The settings path, {@code ca.vault.auth.method}; empty for the file as a whole. */
  public String key() {
    return key;
  }
}
