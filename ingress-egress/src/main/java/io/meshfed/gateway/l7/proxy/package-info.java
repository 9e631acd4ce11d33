/**
 * The proxy proper: per-request exchanges (hygiene, route, HTTP filters, router with retries, timeouts, mirrors),
 * local replies with response flags, WebSocket tunnels and TCP passthrough. Internal to the engine; may change
 * freely.
 */
package io.meshfed.gateway.l7.proxy;
