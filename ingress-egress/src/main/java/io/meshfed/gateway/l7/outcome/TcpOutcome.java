package io.meshfed.gateway.l7.outcome;

import java.net.InetSocketAddress;
import java.time.Instant;

/**
 * What happened to one proxied TCP connection (SNI passthrough), recorded when it closes: the value Istio's
 * {@code istio_tcp_*} metrics and the access log are computed from.
 *
 * @param startTime when the downstream connection was accepted
 * @param durationNanos until both sides closed
 * @param listener listener name
 * @param requestedServerName the SNI the connection was routed on
 * @param upstreamCluster the cluster it was proxied to, empty when none
 * @param upstreamHost the upstream endpoint, empty when none
 * @param downstreamRemote the client's address
 * @param responseFlags Envoy response flags ({@code UF}, {@code UH}, {@code NR}), {@code -} for none
 * @param bytesReceived bytes from downstream
 * @param bytesSent bytes to downstream
 */
public record TcpOutcome(
    Instant startTime,
    long durationNanos,
    String listener,
    String requestedServerName,
    String upstreamCluster,
    String upstreamHost,
    InetSocketAddress downstreamRemote,
    String responseFlags,
    long bytesReceived,
    long bytesSent) {
}
