package io.meshfed.control.plane.translate.model;

import java.util.Objects;

/**
 * A port of a service.
 *
 * @param name the port name ({@code ""} when unnamed); endpoints' target ports are looked up by it
 * @param number the service port
 * @param protocol by Istio's selection rules
 * @param targetPort a fixed endpoint port (ServiceEntry {@code targetPort}), or 0: each endpoint says
 */
public record PortSpec(String name, int number, Protocol protocol, int targetPort) {

  public PortSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(protocol, "protocol");
  }
}
