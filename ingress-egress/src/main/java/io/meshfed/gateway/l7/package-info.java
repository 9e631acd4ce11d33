/**
 * The xDS-driven L7 proxy engine behind the ingress and egress gateways. Public API: {@link
 * io.meshfed.gateway.l7.L7Engine} (apply xDS, drain, close), {@link io.meshfed.gateway.l7.Role}, {@link
 * io.meshfed.gateway.l7.HygieneLimits}, the xDS input and NACK types in {@code config}, and the outcome seam in
 * {@code outcome}. Every other package is internal and may change freely.
 */
package io.meshfed.gateway.l7;
