package io.meshfed.gateway.eastwest.config;

import java.util.List;
import java.util.Objects;

/** A virtual host: its domains and its routes in order. */
public record VirtualHostConfig(String name, List<String> domains, List<RouteConfig> routes) {

  public VirtualHostConfig {
    Objects.requireNonNull(name, "name");
    domains = List.copyOf(domains);
    routes = List.copyOf(routes);
  }
}
