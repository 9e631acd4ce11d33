package io.meshfed.federation.discovery;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Objects;

/** namespace/name of a Kubernetes object ({@code ""} namespace for cluster-scoped ones). */
record ObjectKey(String namespace, String name) {

  ObjectKey {
    namespace = Objects.requireNonNullElse(namespace, "");
    Objects.requireNonNull(name, "name");
  }

  static ObjectKey of(HasMetadata object) {
    return new ObjectKey(object.getMetadata().getNamespace(), object.getMetadata().getName());
  }

  @Override
  public String toString() {
    return namespace.isEmpty() ? name : namespace + "/" + name;
  }
}
