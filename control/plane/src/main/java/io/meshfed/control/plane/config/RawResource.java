package io.meshfed.control.plane.config;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.meshfed.control.plane.istio.Origin;
import io.meshfed.control.plane.istio.Value;
import java.util.Objects;
import java.util.Optional;

/**
 * One object as a source delivers it, before parsing: a document tree (YAML files, Istio kinds from Kubernetes) or
 * a typed Kubernetes object (from an informer). A source hands out the same instance while the object is
 * unchanged, so the store parses each version once.
 */
public final class RawResource {

  private final Optional<Value> document;
  private final Optional<HasMetadata> object;
  private final Origin origin;

  private RawResource(Optional<Value> document, Optional<HasMetadata> object, Origin origin) {
    this.document = document;
    this.object = object;
    this.origin = Objects.requireNonNull(origin, "origin");
  }

  public static RawResource document(Value document, Origin origin) {
    return new RawResource(Optional.of(document), Optional.empty(), origin);
  }

  public static RawResource object(HasMetadata object, Origin origin) {
    return new RawResource(Optional.empty(), Optional.of(object), origin);
  }

  public Optional<Value> document() {
    return document;
  }

  public Optional<HasMetadata> object() {
    return object;
  }

  public Origin origin() {
    return origin;
  }

  @Override
  public String toString() {
    return "RawResource[" + origin + "]";
  }
}
