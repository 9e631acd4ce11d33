package io.meshfed.control.plane.istio;

import java.util.Objects;
import java.util.Optional;

/**
 * Where a route sends traffic.
 *
 * @param host as written
 * @param fqdn the host completed against the namespace of the object that wrote it (see {@link HostNames})
 * @param subset a subset defined by a DestinationRule for the host
 * @param port the service port; needed only when the service has several
 */
public record Destination(String host, String fqdn, Optional<String> subset, Optional<Integer> port) {

  public Destination {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(fqdn, "fqdn");
    Objects.requireNonNull(subset, "subset");
    Objects.requireNonNull(port, "port");
  }
}
