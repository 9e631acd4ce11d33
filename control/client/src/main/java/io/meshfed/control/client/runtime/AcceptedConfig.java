package io.meshfed.control.client.runtime;

import java.util.List;

/**
 * A snapshot of what a gateway's xDS client holds: the accepted resources and the updates it rejected. The runtime
 * asks a {@code Supplier<AcceptedConfig>} for it on every {@code /config_dump}, {@code /listeners} and
 * {@code /clusters} request, so the supplier must be cheap and thread-safe (return the current immutable snapshot).
 *
 * @param resources every accepted resource, any type
 * @param rejected the updates rejected since the last accepted one, per resource
 */
public record AcceptedConfig(List<XdsResource> resources, List<RejectedUpdate> rejected) {

  /** Nothing accepted yet. */
  public static final AcceptedConfig EMPTY = new AcceptedConfig(List.of(), List.of());

  public AcceptedConfig {
    resources = List.copyOf(resources);
    rejected = List.copyOf(rejected);
  }

  /** The accepted resources of one type, in the supplier's order. */
  public List<XdsResource> ofType(String typeUrl) {
    return resources.stream().filter(resource -> resource.typeUrl().equals(typeUrl)).toList();
  }
}
