/**
 * The east-west gateway's minimal HTTP forwarder (router filter only) for terminated HTTP ports and the outbound
 * listener: per-request routing, retries of connect failures, pooled HTTP/1.1 upstreams, the connection manager's
 * timeouts (stream idle, request headers, connection idle), per-request records.
 */
package io.meshfed.gateway.eastwest.http;
