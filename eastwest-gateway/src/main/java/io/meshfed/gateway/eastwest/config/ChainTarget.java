package io.meshfed.gateway.eastwest.config;

/** What a filter chain's terminal filter does: {@link TcpProxyTarget} (L4) or {@link HttpTarget} (L7). */
public sealed interface ChainTarget permits TcpProxyTarget, HttpTarget {
}
