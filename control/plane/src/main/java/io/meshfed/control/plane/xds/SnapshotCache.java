package io.meshfed.control.plane.xds;

import io.vertx.core.Future;
import java.util.Optional;
import java.util.Set;

/**
 * What the ADS server serves: one {@link Snapshot} per gateway group. Setting a snapshot schedules a debounced push
 * to the gateways of that group whose resources changed; groups whose snapshot is unchanged are not pushed.
 * Safe to call from any thread.
 */
public interface SnapshotCache {

    /**
     * Replaces the snapshot of a group. Gateways of the group that connected before it had a snapshot get their
     * first responses once it arrives.
     *
     * @return completes once the server's context has recorded it (the push follows after the debounce)
     */
    Future<Void> setSnapshot(String group, Snapshot snapshot);

    /** Forgets a group; its connected gateways keep what they have and get nothing new. */
    Future<Void> clearSnapshot(String group);

    /** The current snapshot of a group. */
    Optional<Snapshot> snapshot(String group);

    /** The groups that have a snapshot. */
    Set<String> groups();
}
