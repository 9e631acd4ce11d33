package io.meshfed.gateway.l7.config;

import io.meshfed.gateway.l7.Role;
import java.util.ArrayList;
import java.util.List;

/** Collects the errors found while compiling one resource; each names the field path and the fix. */
final class Problems {

  private final ConfigError.Kind kind;
  private final String resource;
  private final Role role;
  private final List<ConfigError> errors = new ArrayList<>();

  Problems(ConfigError.Kind kind, String resource, Role role) {
    this.kind = kind;
    this.resource = resource;
    this.role = role;
  }

  /** Records {@code reason} at {@code field}. */
  void error(String field, String reason) {
    errors.add(new ConfigError(kind, resource, field, reason));
  }

  /** Records that {@code what} at {@code field} is outside the profile this gateway implements. */
  void unsupported(String field, String what) {
    error(field, what + " (unsupported by the " + role.gatewayName() + ")");
  }

  Role role() {
    return role;
  }

  boolean ok() {
    return errors.isEmpty();
  }

  List<ConfigError> errors() {
    return errors;
  }
}
