package io.meshfed.gateway.l7.proxy;

import io.meshfed.gateway.l7.cluster.ClusterRuntime;
import io.meshfed.gateway.l7.config.EngineSnapshot;
import java.util.Map;

/**
 * What one request sees for its whole life: the compiled snapshot and the cluster runtimes published with it.
 * Swapped atomically as one value, so a request never mixes two configurations.
 *
 * @param snapshot the compiled configuration
 * @param clusters the live clusters, by name
 */
public record EngineState(EngineSnapshot snapshot, Map<String, ClusterRuntime> clusters) {
}
