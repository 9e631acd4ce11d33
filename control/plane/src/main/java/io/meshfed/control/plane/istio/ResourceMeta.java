package io.meshfed.control.plane.istio;

import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The metadata meshfed keeps of an object.
 *
 * @param apiVersion as written, e.g. {@code networking.istio.io/v1beta1}
 * @param key kind, namespace and name
 * @param creationTimestamp set by Kubernetes; empty for objects read from files
 * @param resourceVersion Kubernetes' resource version; empty for files
 * @param origin where the object was read
 */
public record ResourceMeta(String apiVersion, ResourceKey key, Map<String, String> labels,
    Map<String, String> annotations, Optional<Instant> creationTimestamp, String resourceVersion, Origin origin) {

  /**
   * Istio's order when two objects compete (conflicting VirtualServices, duplicate subsets): oldest
   * creationTimestamp first, then name, then namespace. Objects without a timestamp (files) sort as equally old.
   */
  public static final Comparator<ResourceMeta> OLDEST_FIRST = Comparator
      .comparing((ResourceMeta meta) -> meta.creationTimestamp().orElse(Instant.EPOCH))
      .thenComparing(meta -> meta.key().name())
      .thenComparing(meta -> meta.key().namespace());

  public ResourceMeta {
    Objects.requireNonNull(apiVersion, "apiVersion");
    Objects.requireNonNull(key, "key");
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
    Objects.requireNonNull(creationTimestamp, "creationTimestamp");
    Objects.requireNonNull(resourceVersion, "resourceVersion");
    Objects.requireNonNull(origin, "origin");
  }

  public String name() {
    return key.name();
  }

  public String namespace() {
    return key.namespace();
  }
}
