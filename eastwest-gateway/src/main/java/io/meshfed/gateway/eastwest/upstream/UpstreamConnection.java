package io.meshfed.gateway.eastwest.upstream;

import io.netty.channel.Channel;

/** A connected (and, with TLS, handshaken) upstream channel, the host it reached and how many attempts it took. */
public record UpstreamConnection(Channel channel, Host host, int attempts) {
}
