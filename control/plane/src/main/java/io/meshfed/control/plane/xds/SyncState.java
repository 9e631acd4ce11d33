package io.meshfed.control.plane.xds;

/**
 * Whether a gateway has what was last sent to it for one type, in {@code istioctl proxy-status} terms.
 */
public enum SyncState {
    /** The last response sent was ACKed. */
    SYNCED,
    /** A response was sent and is not ACKed: in flight, or NACKed (see {@link TypeSyncStatus#lastNack()}). */
    STALE,
    /** Nothing of this type was sent on this stream (not subscribed, or no snapshot yet). */
    NOT_SENT;

    /** The label {@code istioctl proxy-status} prints: {@code SYNCED}, {@code STALE}, {@code NOT SENT}. */
    public String label() {
        return this == NOT_SENT ? "NOT SENT" : name();
    }
}
