package io.meshfed.gateway.eastwest.config;

import io.meshfed.gateway.eastwest.ConfigError;
import io.meshfed.gateway.eastwest.ResourceType;
import java.util.ArrayList;
import java.util.List;

/** Collects every error of one translation, so a NACK lists all of them at once rather than the first. */
final class Problems {

  private final List<ConfigError> errors = new ArrayList<>();

  Scope in(ResourceType type, String resource) {
    return new Scope(this, type, resource, "");
  }

  void add(ConfigError error) {
    errors.add(error);
  }

  int count() {
    return errors.size();
  }

  List<ConfigError> errors() {
    return List.copyOf(errors);
  }
}
