package io.meshfed.control.plane.runtime;

import io.meshfed.control.plane.xds.Snapshot;
import java.util.Map;
import java.util.Set;

/**
 * The step the runtime drives to turn mesh state into what gateways get: one xDS {@link Snapshot} per gateway group
 * (the groups of the ADS server's {@code NodeGrouping}). Called on a worker thread, never concurrently with itself;
 * a group absent from the answer keeps the snapshot it has.
 */
@FunctionalInterface
public interface Translation {

  Map<String, Snapshot> translate(MeshState state, Set<String> groups);
}
