package io.meshfed.gateway.eastwest;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The outcome of one {@link EastWestGateway#apply}: accepted (the new snapshot serves new connections) or rejected
 * with every error found (the last good snapshot keeps serving). {@code warming} names listeners that were accepted
 * but wait for a resource they reference, as Envoy's warming listeners do.
 */
public record ApplyResult(String version, List<ConfigError> errors, List<String> warming) {

  public ApplyResult {
    errors = List.copyOf(errors);
    warming = List.copyOf(warming);
  }

  public boolean accepted() {
    return errors.isEmpty();
  }

  /** The errors of one resource type, for a NACK of that type URL; empty when that type is fine. */
  public List<ConfigError> errors(ResourceType type) {
    return errors.stream().filter(error -> error.type() == type).toList();
  }

  /** One line per error, for a NACK's {@code error_detail.message}. */
  public String errorDetail() {
    return errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n"));
  }
}
