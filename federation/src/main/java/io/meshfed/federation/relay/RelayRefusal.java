package io.meshfed.federation.relay;

/**
 * A connection the relay refused or was refused on.
 *
 * @param peer the peer's member name or address
 * @param inbound true when a peer dialled us
 * @param kind {@code identity}, {@code mesh}, {@code member} or {@code protocol}
 * @param reason the full explanation, as logged
 */
public record RelayRefusal(String peer, boolean inbound, String kind, String reason) {
}
