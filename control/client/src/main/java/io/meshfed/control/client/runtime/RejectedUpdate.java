package io.meshfed.control.client.runtime;

import java.time.Instant;
import java.util.Objects;

/**
 * An xDS update the gateway rejected (NACKed) while it kept serving the last good config; {@code /config_dump}
 * shows it as the resource's {@code error_state}, as Envoy does.
 *
 * @param typeUrl the resource type
 * @param name the resource the error is about, or empty when it concerns the whole response
 * @param versionInfo the rejected version
 * @param details why, naming the field ({@code listener 0.0.0.0_8080: filter_chains[0]...: unsupported})
 * @param attemptedAt when the update arrived
 */
public record RejectedUpdate(String typeUrl, String name, String versionInfo, String details, Instant attemptedAt) {

  public RejectedUpdate {
    Objects.requireNonNull(typeUrl, "typeUrl");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(versionInfo, "versionInfo");
    Objects.requireNonNull(details, "details");
    Objects.requireNonNull(attemptedAt, "attemptedAt");
  }
}
