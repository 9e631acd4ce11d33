/**
 * The upstream side of the data plane: per-event-loop connection pools (HTTP/1.1 and HTTP/2) with the cluster's
 * circuit breakers, TLS origination with Istio SNI, and the stream abstraction the proxy writes requests to.
 * Internal to the engine; may change freely.
 */
package io.meshfed.gateway.l7.upstream;
