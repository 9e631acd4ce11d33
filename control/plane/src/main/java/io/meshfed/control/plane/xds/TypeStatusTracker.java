package io.meshfed.control.plane.xds;

import io.meshfed.control.client.xds.XdsResourceType;
import java.time.Instant;
import java.util.Optional;

/** Sent/ACK/NACK bookkeeping of one type on one stream; becomes a {@link TypeSyncStatus}. */
final class TypeStatusTracker {
    private final XdsResourceType type;
    private String sentVersion = "";
    private String sentNonce = "";
    private Instant sentAt;
    private long sentNanos;
    private long changeNanos;
    private String ackedVersion = "";
    private String ackedNonce = "";
    private Instant ackedAt;
    private NackDetail lastNack;
    private boolean subscribed;

    TypeStatusTracker(XdsResourceType type) {
        this.type = type;
    }

    void sent(String version, String nonce, long changeNanos) {
        this.sentVersion = version;
        this.sentNonce = nonce;
        this.sentAt = Instant.now();
        this.sentNanos = System.nanoTime();
        this.changeNanos = changeNanos;
    }

    String sentNonce() {
        return sentNonce;
    }

    String sentVersion() {
        return sentVersion;
    }

    /** Nanotime of the config change the last response carried (for convergence), 0 if unknown. */
    long changeNanos() {
        return changeNanos;
    }

    long sentNanos() {
        return sentNanos;
    }

    void subscribed() {
        this.subscribed = true;
    }

    void acked(String version, String nonce) {
        this.ackedVersion = version;
        this.ackedNonce = nonce;
        this.ackedAt = Instant.now();
    }

    void nacked(NackDetail nack) {
        this.lastNack = nack;
    }

    TypeSyncStatus status() {
        SyncState state;
        if (sentNonce.isEmpty()) {
            state = SyncState.NOT_SENT;
        } else if (sentNonce.equals(ackedNonce)) {
            state = SyncState.SYNCED;
        } else {
            state = SyncState.STALE;
        }
        return new TypeSyncStatus(type, subscribed, state, sentVersion, sentNonce, Optional.ofNullable(sentAt), ackedVersion,
                Optional.ofNullable(ackedAt), Optional.ofNullable(lastNack));
    }
}
