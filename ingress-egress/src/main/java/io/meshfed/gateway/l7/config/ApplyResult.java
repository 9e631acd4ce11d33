package io.meshfed.gateway.l7.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What applying one xDS update did: the snapshot version now serving, and the resources refused. A refused
 * resource keeps its last accepted version serving (or stays absent); the rest of the update is applied, as Envoy
 * does for LDS/CDS.
 *
 * @param version the version of the snapshot now serving
 * @param errors every refused resource, empty when all were accepted
 */
public record ApplyResult(long version, List<ConfigError> errors) {

  /** True when nothing was refused (ACK every type). */
  public boolean accepted() {
    return errors.isEmpty();
  }

  /** True when some resource of {@code kind} was refused (NACK that type). */
  public boolean refused(ConfigError.Kind kind) {
    return errors.stream().anyMatch(error -> error.kind() == kind);
  }

  /** The NACK's {@code error_detail} message for {@code kind}: one line per refused field, empty when none. */
  public String nackMessage(ConfigError.Kind kind) {
    return errors.stream().filter(error -> error.kind() == kind).map(ConfigError::toString)
        .collect(Collectors.joining("\n"));
  }
}
