package io.meshfed.control.plane.xds;

import com.google.protobuf.Any;
import java.util.Objects;

/**
 * One named xDS resource with its version, as served to gateways.
 *
 * @param name the xDS resource name (a ClusterLoadAssignment is named by its cluster_name)
 * @param version the per-resource version (delta xDS {@code Resource.version}): a digest of the resource bytes,
 *     stable across control-plane restarts so a reconnecting gateway's {@code initial_resource_versions} match
 * @param resource the packed resource
 */
public record VersionedResource(String name, String version, Any resource) {
    public VersionedResource {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(resource, "resource");
    }
}
