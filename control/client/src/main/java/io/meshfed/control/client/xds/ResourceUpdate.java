package io.meshfed.control.client.xds;

import java.util.Map;
import java.util.Set;

/**
 * What a {@link ResourceConsumer} is asked to accept: the complete set of one type the gateway would hold if it
 * accepted, plus what changed compared to the last accepted set.
 *
 * @param type the resource type
 * @param version the version of the response ({@code version_info} or {@code system_version_info})
 * @param resources every resource of the type after this update, by name: a read-only view valid during the
 *     consumer call (copy what must be kept; it is the client's own set, updated in place)
 * @param updated names added or changed by this update
 * @param removed names removed by this update
 */
public record ResourceUpdate(XdsResourceType type, String version, Map<String, XdsResource> resources,
        Set<String> updated, Set<String> removed) {
}
