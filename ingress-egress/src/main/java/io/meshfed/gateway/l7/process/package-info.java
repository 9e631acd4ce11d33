/**
 * The ingress and egress gateways as processes ({@code meshfed gateway --role ingress|egress}, or in-JVM for
 * {@code meshfed demo}): {@link io.meshfed.gateway.l7.process.L7Process} puts the L7 engine behind control/client's
 * {@link io.meshfed.control.client.gateway.GatewayProcess}.
 */
package io.meshfed.gateway.l7.process;
