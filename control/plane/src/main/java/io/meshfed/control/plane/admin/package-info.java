/**
 * The control plane's admin API on :15014: readiness, health, Prometheus metrics and the debug endpoints that
 * {@code meshfed proxy-status} and people read. See docs/control-plane.md.
 */
package io.meshfed.control.plane.admin;
