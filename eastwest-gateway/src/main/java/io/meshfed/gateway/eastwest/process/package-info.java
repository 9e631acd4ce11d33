/**
 * The east-west gateway as a process ({@code meshfed gateway --role eastwest}, or in-JVM for {@code meshfed demo}):
 * {@link io.meshfed.gateway.eastwest.process.EastWestProcess} puts the engine behind control/client's
 * {@link io.meshfed.control.client.gateway.GatewayProcess}.
 */
package io.meshfed.gateway.eastwest.process;
