package io.meshfed.control.plane.xds;

import java.time.Instant;

/**
 * A rejected response, as the gateway reported it in {@code error_detail}.
 *
 * @param rejectedVersion the version of the response the gateway rejected
 * @param nonce the nonce of that response
 * @param code the gRPC status code in {@code error_detail}
 * @param message the gateway's error message
 * @param at when the NACK arrived
 */
public record NackDetail(String rejectedVersion, String nonce, int code, String message, Instant at) {
}
