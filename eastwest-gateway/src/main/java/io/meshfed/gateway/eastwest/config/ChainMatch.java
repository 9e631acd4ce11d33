package io.meshfed.gateway.eastwest.config;

import java.util.Set;

/**
 * The supported part of Envoy's {@code FilterChainMatch}: server names (exact or {@code *.suffix}), transport protocol
 * ({@code tls}, {@code raw_buffer} or empty for any) and application protocols (ALPN, any one offered must be listed).
 */
public record ChainMatch(Set<String> serverNames, String transportProtocol, Set<String> applicationProtocols) {

  public static final ChainMatch ANY = new ChainMatch(Set.of(), "", Set.of());

  public ChainMatch {
    serverNames = Set.copyOf(serverNames);
    applicationProtocols = Set.copyOf(applicationProtocols);
  }
}
