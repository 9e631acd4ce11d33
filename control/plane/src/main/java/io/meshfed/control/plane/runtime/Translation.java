package io.meshfed.control.plane.runtime;

import io.meshfed.control.plane.xds.Snapshot;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;

/**
 * The step the runtime drives to turn mesh state into what gateways get: one xDS {@link Snapshot} per gateway group
 * (the groups of the ADS server's {@code NodeGrouping}). Called on a worker thread, never concurrently with itself.
 * A group the previous answer had and this one has not is withdrawn: its snapshot is cleared, and its connected
 * gateways keep what they have and get nothing new. A failure (an exception) keeps every snapshot as it was.
 */
@FunctionalInterface
public interface Translation {

  Map<String, Snapshot> translate(MeshState state, Set<String> groups);

  /** What the last translation found (problems, figures), for {@code /debug/translation}; may be read anytime. */
  default JsonObject report() {
    return new JsonObject().put("translated", false).put("reason", "this translation step reports nothing");
  }
}
