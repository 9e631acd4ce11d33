package io.meshfed.control.plane.istio;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of reading one document: a valid object (meshfed's model for Istio kinds and ServiceExport, a fabric8
 * object for Kubernetes kinds) and/or the messages found. An object with an error-severity message is rejected:
 * {@link #config()} and {@link #kubernetes()} are then empty.
 *
 * @param key empty when the document is too malformed to name an object
 */
public record ParsedResource(Optional<ResourceKey> key, Origin origin, Optional<ConfigResource> config,
    Optional<HasMetadata> kubernetes, List<Message> messages) {

  public ParsedResource {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(kubernetes, "kubernetes");
    messages = List.copyOf(messages);
  }

  /** Whether the document produced a usable object. */
  public boolean valid() {
    return config.isPresent() || kubernetes.isPresent();
  }

  /** Whether the document is of a kind meshfed reads (false for ignored kinds). */
  public boolean read() {
    return valid() || messages.stream().anyMatch(m -> m.severity() == Severity.ERROR);
  }
}
