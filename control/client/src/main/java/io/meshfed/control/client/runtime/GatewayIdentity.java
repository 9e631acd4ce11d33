package io.meshfed.control.client.runtime;

import java.util.Locale;
import java.util.Objects;

/**
 * Which gateway this is, as its admin endpoints and {@code meshfed explain} report it.
 *
 * @param name the gateway workload's name ({@code meshfed-eastwestgateway})
 * @param namespace its namespace
 * @param clusterId the cluster it runs in
 * @param role {@code eastwest}, {@code ingress} or {@code egress}
 */
public record GatewayIdentity(String name, String namespace, String clusterId, String role) {

  public GatewayIdentity {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(role, "role");
    role = role.toLowerCase(Locale.ROOT);
    if (!role.equals("eastwest") && !role.equals("ingress") && !role.equals("egress")) {
      throw new IllegalArgumentException("role: " + role + " (expected: eastwest, ingress or egress)");
    }
  }
}
