package io.meshfed.federation.catalog;

import java.util.Objects;

/**
 * A port of an exported Service: name, number, transport protocol and the Kubernetes {@code appProtocol}, which
 * Istio's protocol selection reads before the port name prefix.
 */
public record ServicePort(String name, int port, String protocol, String appProtocol) {

  public ServicePort {
    name = Objects.requireNonNullElse(name, "");
    protocol = protocol == null || protocol.isEmpty() ? "TCP" : protocol;
    appProtocol = Objects.requireNonNullElse(appProtocol, "");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + name + ": " + port + " (expected: 1..65535)");
    }
  }
}
