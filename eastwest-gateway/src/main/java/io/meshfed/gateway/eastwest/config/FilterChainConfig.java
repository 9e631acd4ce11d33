package io.meshfed.gateway.eastwest.config;

import io.meshfed.gateway.eastwest.rbac.RbacPolicy;
import io.meshfed.gateway.eastwest.tls.ServerTlsSpec;
import java.util.List;
import java.util.Objects;

/**
 * One filter chain: its match, whether it terminates TLS ({@code tls} non-null; passthrough otherwise), the network
 * RBAC filters in order, and what carries the bytes on ({@link ChainTarget}). {@code missing} names a referenced
 * resource that has not arrived (the chain rejects connections with {@code not_ready} until it does).
 */
public record FilterChainConfig(int index, String name, ChainMatch match, boolean terminatesTls, ServerTlsSpec tls,
    List<RbacPolicy> rbac, ChainTarget target, String missing) {

  public FilterChainConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(match, "match");
    rbac = List.copyOf(rbac);
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(missing, "missing");
  }

  public boolean ready() {
    return missing.isEmpty();
  }

  /** How logs and records name the chain: its name, else its index. */
  public String displayName() {
    return name.isEmpty() ? "filter_chains[" + index + "]" : name;
  }
}
