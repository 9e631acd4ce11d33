package io.meshfed.control.plane.istio;

import java.util.Objects;

/**
 * Identifies one config object: its kind, namespace (empty for cluster-scoped kinds) and name. Prints as Istio
 * prints it: {@code VirtualService default/reviews}.
 */
public record ResourceKey(String kind, String namespace, String name) implements Comparable<ResourceKey> {

  public ResourceKey {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
  }

  /** {@code default/reviews}, or {@code reviews} for a cluster-scoped object. */
  public String qualifiedName() {
    return namespace.isEmpty() ? name : namespace + "/" + name;
  }

  @Override
  public int compareTo(ResourceKey other) {
    int byKind = kind.compareTo(other.kind);
    if (byKind != 0) {
      return byKind;
    }
    int byNamespace = namespace.compareTo(other.namespace);
    return byNamespace != 0 ? byNamespace : name.compareTo(other.name);
  }

  @Override
  public String toString() {
    return kind + " " + qualifiedName();
  }
}
