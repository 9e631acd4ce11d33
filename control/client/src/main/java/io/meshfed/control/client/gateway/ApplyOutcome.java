package io.meshfed.control.client.gateway;

import io.meshfed.control.client.xds.XdsResourceType;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a {@link DataPlane} did with a {@link ResourceSet}: accepted it; refused it whole (the previous set keeps
 * serving, the east-west gateway's rule); or refused some resources, which keep their previous version while the
 * rest took effect (the L7 engine's rule, Envoy's for LDS/CDS). The update is NACKed with {@code error} unless it is
 * empty.
 *
 * @param error one line per problem, {@code listener 0.0.0.0_8080: field: value (expected: ...)}; empty = accepted
 * @param refused when only some resources were refused: which, per type; empty when the whole set was refused
 */
public record ApplyOutcome(String error, Map<XdsResourceType, Set<String>> refused) {

  private static final ApplyOutcome ACCEPTED = new ApplyOutcome("", Map.of());

  public ApplyOutcome {
    Objects.requireNonNull(error, "error");
    refused = Map.copyOf(refused);
  }

  /** Everything serves. */
  public static ApplyOutcome accepted() {
    return ACCEPTED;
  }

  /** Nothing of the set serves: the previous set does. */
  public static ApplyOutcome rejected(String error) {
    if (error.isEmpty()) {
      throw new IllegalArgumentException("error: (empty) (expected: why the set was refused)");
    }
    return new ApplyOutcome(error, Map.of());
  }

  /** These resources kept their previous version (or stayed absent); the rest serves. */
  public static ApplyOutcome partlyRejected(String error, Map<XdsResourceType, Set<String>> refused) {
    if (error.isEmpty() || refused.isEmpty()) {
      throw new IllegalArgumentException("error, refused: (empty) (expected: the problems and the refused names)");
    }
    return new ApplyOutcome(error, refused);
  }

  public boolean isAccepted() {
    return error.isEmpty();
  }
}
