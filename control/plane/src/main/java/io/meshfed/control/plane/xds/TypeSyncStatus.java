package io.meshfed.control.plane.xds;

import io.meshfed.control.client.xds.XdsResourceType;
import java.time.Instant;
import java.util.Optional;

/**
 * The sync status of one resource type on one stream.
 *
 * @param type the resource type
 * @param subscribed whether the gateway asked for this type on this stream
 * @param state SYNCED, STALE or NOT SENT
 * @param sentVersion the version of the last response sent (state of the world: {@code version_info}; delta:
 *     {@code system_version_info}), empty if none
 * @param sentNonce the nonce of the last response sent, empty if none
 * @param sentAt when it was sent
 * @param ackedVersion the last version the gateway ACKed, empty if none
 * @param ackedAt when that ACK arrived
 * @param lastNack the last NACK on this stream, if any (kept after a later ACK, for diagnosis)
 */
public record TypeSyncStatus(XdsResourceType type, boolean subscribed, SyncState state, String sentVersion, String sentNonce,
        Optional<Instant> sentAt, String ackedVersion, Optional<Instant> ackedAt, Optional<NackDetail> lastNack) {
}
