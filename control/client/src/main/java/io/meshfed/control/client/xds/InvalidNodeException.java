package io.meshfed.control.client.xds;

/**
 * An Envoy {@code Node} that does not follow meshfed's node contract (Istio-style id, required metadata).
 * Carries the offending field so a server can report it to the gateway and in its logs.
 */
public final class InvalidNodeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;

    InvalidNodeException(String field, String value, String expected) {
        super(field + ": " + (value.isEmpty() ? "(empty)" : value) + " (expected: " + expected + ")");
        this.field = field;
    }

    /** The node field at fault: {@code id} or {@code metadata.<KEY>}. */
    public String field() {
        return field;
    }
}
