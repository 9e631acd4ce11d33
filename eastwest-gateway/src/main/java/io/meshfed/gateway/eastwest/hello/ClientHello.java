package io.meshfed.gateway.eastwest.hello;

import java.util.List;
import java.util.Objects;

/**
 * What the router reads from a TLS ClientHello without terminating TLS: the requested server name (RFC 6066 section 3,
 * lower-cased; empty when absent) and the offered application protocols (RFC 7301; empty when absent).
 */
public record ClientHello(String serverName, List<String> applicationProtocols) {

  public ClientHello {
    Objects.requireNonNull(serverName, "serverName");
    applicationProtocols = List.copyOf(applicationProtocols);
  }
}
