/**
 * Listeners compiled from LDS and the downstream side of the data plane: binding, filter-chain selection from the
 * ClientHello, TLS termination, HTTP/1.1 and HTTP/2 codecs with request hygiene, and TCP passthrough. Internal to
 * the engine; may change freely.
 */
package io.meshfed.gateway.l7.listener;
