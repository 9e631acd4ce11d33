/**
 * Reading a TLS ClientHello without terminating TLS (Envoy's tls_inspector): the record, handshake and body readers
 * (bounded, incremental, typed failures only) and the Netty handlers that drive them with a timeout.
 */
package io.meshfed.gateway.eastwest.hello;
