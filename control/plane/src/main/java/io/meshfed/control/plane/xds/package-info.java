/**
 * The ADS server: Envoy's {@code AggregatedDiscoveryService} (state of the world and incremental) over Vert.x gRPC,
 * serving per-group {@link io.meshfed.control.plane.xds.Snapshot}s with Istio-style push debounce, per-gateway
 * sync status and Istio's {@code pilot_*} metrics.
 *
 * <p>Public API: {@link io.meshfed.control.plane.xds.XdsServer} (start, stop, ports),
 * {@link io.meshfed.control.plane.xds.SnapshotCache} (what to serve), {@link io.meshfed.control.plane.xds.NodeGrouping}
 * (which gateways share a snapshot), {@link io.meshfed.control.plane.xds.ProxyStatusQuery} (what each gateway has).
 * The translator builds what it serves with {@link io.meshfed.control.plane.xds.Snapshot},
 * {@link io.meshfed.control.plane.xds.OrderedChunks}, {@link io.meshfed.control.plane.xds.WireSplice} and
 * {@link io.meshfed.control.plane.xds.TypedAny}. Everything else is package-private and may change freely.
 *
 * <p>Threading: the server owns one Vert.x context; streams, the cache, the debouncer and the status all live on it.
 * Calls from other threads hop onto it and answer with futures. See docs/xds.md for the protocol coverage.
 */
package io.meshfed.control.plane.xds;
