package io.meshfed.gateway.eastwest.rbac;

import io.meshfed.gateway.eastwest.tls.PeerIdentity;
import java.net.InetSocketAddress;

/**
 * What a network RBAC filter sees of a connection: the verified peer ({@code null} without mTLS), the downstream
 * address, the local port and the requested server name.
 */
public record RbacContext(PeerIdentity peer, InetSocketAddress remote, int destinationPort, String serverName) {
}
