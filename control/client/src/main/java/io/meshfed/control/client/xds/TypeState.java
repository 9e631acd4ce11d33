package io.meshfed.control.client.xds;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The client's view of one subscribed type, for a gateway's admin {@code config_dump}.
 *
 * @param type the resource type
 * @param acceptedVersion the version of the last accepted update, empty if none
 * @param resources the last accepted resources by name, with their versions
 * @param acceptedAt when they were accepted
 * @param lastRejection the last rejected update's version and reason, if any
 */
public record TypeState(XdsResourceType type, String acceptedVersion, Map<String, XdsResource> resources,
        Optional<Instant> acceptedAt, Optional<Rejection> lastRejection) {

    /**
     * A rejected update.
     *
     * @param version the rejected version
     * @param reason what the consumer said
     * @param at when
     */
    public record Rejection(String version, String reason, Instant at) {
    }
}
