package io.meshfed.federation.remote;

import java.time.Instant;
import java.util.Objects;

/**
 * Status of one remote cluster (or of a Secret that registers none: then {@code clusterId} is empty).
 *
 * @param message what is wrong and how to fix it; empty when SYNCED
 */
public record RemoteClusterStatus(String clusterId, String secret, RemoteClusterState state, String message,
    Instant since) {

  public RemoteClusterStatus {
    clusterId = Objects.requireNonNullElse(clusterId, "");
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(state, "state");
    message = Objects.requireNonNullElse(message, "");
    Objects.requireNonNull(since, "since");
  }
}
