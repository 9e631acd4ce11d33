package io.meshfed.control.client.xds;

import java.util.Objects;

/**
 * A consumer's answer to a {@link ResourceUpdate}: accept (the client ACKs and the update becomes the last good
 * set) or reject with a reason (the client NACKs with that reason in {@code error_detail} and keeps its last good
 * set).
 *
 * @param accepted whether the update is accepted
 * @param error the reason for a rejection, {@code name: value (expected: ...)}; empty when accepted
 */
public record Verdict(boolean accepted, String error) {
    private static final Verdict ACCEPT = new Verdict(true, "");

    public Verdict {
        Objects.requireNonNull(error, "error");
    }

    /** Accept the update. */
    public static Verdict accept() {
        return ACCEPT;
    }

    /** Reject the update; {@code reason} is sent to the control plane. */
    public static Verdict reject(String reason) {
        if (reason == null || reason.isEmpty()) {
            throw new IllegalArgumentException("reason: " + reason + " (expected: why the update is rejected)");
        }
        return new Verdict(false, reason);
    }
}
