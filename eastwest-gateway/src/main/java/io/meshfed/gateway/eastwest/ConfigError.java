package io.meshfed.gateway.eastwest;

import java.util.Objects;

/**
 * Why one resource of an update cannot be honoured: the resource, the field path inside it and the reason, in the
 * form the profile fixes ({@code listener 0.0.0.0_8080: filter_chains[0].filters[1]:
 * envoy.filters.network.redis_proxy (unsupported by the meshfed east-west gateway)}). An ADS client puts
 * {@link #toString()} into the NACK's {@code error_detail}.
 */
public record ConfigError(ResourceType type, String resource, String field, String reason) {

  public ConfigError {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(reason, "reason");
  }

  @Override
  public String toString() {
    return type.kind() + " " + resource + ": " + (field.isEmpty() ? "" : field + ": ") + reason;
  }
}
