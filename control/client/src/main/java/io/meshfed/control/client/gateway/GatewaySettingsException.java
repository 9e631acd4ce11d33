package io.meshfed.control.client.gateway;

import java.util.Objects;

/**
 * A gateway setting that cannot be used: where it came from (a file or the command line), its key, and what is
 * expected. The message reads {@code gateway.yaml: xds.address: cp:99999 (expected: host:port, port 1..65535)}.
 */
public final class GatewaySettingsException extends IllegalArgumentException {

  private final String source;
  private final String key;
  private final String problem;

  /**
   * @param source the file, {@code command line} or {@code settings} (built in code)
   * @param key the settings key, empty when the whole file is at fault
   * @param problem {@code value (expected: ...)}
   */
  public GatewaySettingsException(String source, String key, String problem) {
    super(source + ": " + (key.isEmpty() ? "" : key + ": ") + Objects.requireNonNull(problem, "problem"));
    this.source = source;
    this.key = key;
    this.problem = problem;
  }

  /** The same problem, attributed to another source (the file or option the value came from). */
  public GatewaySettingsException from(String otherSource) {
    return otherSource.equals(source) ? this : new GatewaySettingsException(otherSource, key, problem);
  }

  /** The file, {@code command line} or {@code settings}. */
  public String source() {
    return source;
  }

  /** The settings key at fault ({@code xds.address}), empty for the file as a whole. */
  public String key() {
    return key;
  }
}
