package io.meshfed.control.plane.istio;

import java.util.Objects;
import java.util.Optional;

/**
 * One finding about the config: a problem that rejects an object, a warning, or advice. The same messages come
 * from the control plane's config store, {@code meshfed analyze} and the admission webhook.
 *
 * <p>Prints as {@code Error [MF0005] (VirtualService default/reviews vs.yaml:14:11) spec.http[1].route[0].weight:
 * -5 (expected: >= 0)}; {@link #fix()} says what to change.
 *
 * @param type the stable code and its severity
 * @param resource the object concerned; empty for a whole file (invalid YAML)
 * @param origin where the object or the offending field was written
 * @param field the field path ({@code spec.http[1].route[0].weight}); empty when the message is about the object
 * @param detail what is wrong, naming the value and what was expected
 * @param fix what to change
 * @param cluster the cluster whose config this is, when several are analyzed together; empty otherwise
 */
public record Message(MessageType type, Optional<ResourceKey> resource, Origin origin, String field, String detail,
    String fix, Optional<String> cluster) {

  public Message {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(fix, "fix");
    Objects.requireNonNull(cluster, "cluster");
  }

  public static Message of(MessageType type, ResourceKey resource, Origin origin, String field, String detail,
      String fix) {
    return new Message(type, Optional.of(resource), origin, field, detail, fix, Optional.empty());
  }

  public Severity severity() {
    return type.severity();
  }

  public String code() {
    return type.code();
  }

  public Message inCluster(String name) {
    return new Message(type, resource, origin, field, detail, fix, Optional.of(name));
  }

  /** Appends to the detail, e.g. that the last good version keeps serving. */
  public Message withNote(String note) {
    return new Message(type, resource, origin, field, detail + " (" + note + ")", fix, cluster);
  }

  /** {@code VirtualService default/reviews: spec.http[1].route[0].weight: -5 (expected: >= 0)}. */
  public String text() {
    StringBuilder text = new StringBuilder();
    resource.ifPresent(key -> text.append(key).append(": "));
    if (!field.isEmpty()) {
      text.append(field).append(": ");
    }
    return text.append(detail).toString();
  }

  @Override
  public String toString() {
    StringBuilder line = new StringBuilder()
        .append(severity().label()).append(" [").append(code()).append("] (");
    cluster.ifPresent(name -> line.append("cluster ").append(name).append(' '));
    resource.ifPresent(key -> line.append(key).append(' '));
    line.append(origin).append(") ");
    if (!field.isEmpty()) {
      line.append(field).append(": ");
    }
    return line.append(detail).toString();
  }
}
