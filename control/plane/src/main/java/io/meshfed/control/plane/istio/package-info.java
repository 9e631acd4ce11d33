/**
 * The Istio API subset meshfed supports, as its own strict immutable model; the parser that reads it from YAML and
 * Kubernetes alike and validates it (every problem a {@link io.meshfed.control.plane.istio.Message} with a stable
 * code); and Istio's resolution rules (host names, exportTo, PeerAuthentication precedence, DestinationRule lookup
 * and merging). See docs/istio-api.md.
 */
package io.meshfed.control.plane.istio;
