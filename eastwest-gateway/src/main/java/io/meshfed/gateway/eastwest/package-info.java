/**
 * The east-west gateway: the :15443 SNI router (passthrough and terminate) and the :15001 outbound listener, driven
 * by xDS. The public API is this package: {@link io.meshfed.gateway.eastwest.EastWestGateway} (apply, stats, drain),
 * the resource set it applies ({@link io.meshfed.gateway.eastwest.XdsResources}), its outcome
 * ({@link io.meshfed.gateway.eastwest.ApplyResult}), and the observation hooks
 * ({@link io.meshfed.gateway.eastwest.ConnectionObserver}, {@link io.meshfed.gateway.eastwest.GatewayStats}). The
 * TLS seam is {@link io.meshfed.gateway.eastwest.tls}. Every other package is internal and free to change.
 */
package io.meshfed.gateway.eastwest;
