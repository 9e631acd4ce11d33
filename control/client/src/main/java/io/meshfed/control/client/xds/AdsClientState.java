package io.meshfed.control.client.xds;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What an {@link AdsClient} holds, for a gateway's admin API.
 *
 * @param connected whether a stream is currently open and has answered
 * @param protocol the ADS variant in use
 * @param server the control plane address
 * @param connectedSince when the current stream opened, if connected
 * @param reconnects how many times the stream was reopened
 * @param types per subscribed type, in push order
 */
public record AdsClientState(boolean connected, AdsClient.Protocol protocol, String server,
        Optional<Instant> connectedSince, long reconnects, Map<XdsResourceType, TypeState> types) {
}
