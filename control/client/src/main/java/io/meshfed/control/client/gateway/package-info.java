/**
 * One gateway process, whatever its role: its settings ({@link io.meshfed.control.client.gateway.GatewaySettings},
 * read strictly from docs/configuration.md's file by {@link io.meshfed.control.client.gateway.GatewaySettingsReader}),
 * and the assembly {@link io.meshfed.control.client.gateway.GatewayProcess} that obtains and rotates the SVID, runs
 * the ADS client and the runtime kit, and hands every accepted xDS state to the role's
 * {@link io.meshfed.control.client.gateway.DataPlane}.
 */
package io.meshfed.control.client.gateway;
