/**
 * The xDS transport a gateway shares with its control plane: the resource types meshfed serves, the Istio-style
 * node identity a gateway announces, and the ADS client ({@link io.meshfed.control.client.xds.AdsClient}).
 *
 * <p>Threading: an {@code AdsClient} is owned by one Vert.x context; every callback (resource consumers included)
 * runs on it. Protocol semantics follow Envoy's "xDS REST and gRPC protocol" document (api-docs/xds_protocol).
 */
package io.meshfed.control.client.xds;
