/** The gateway's counters behind {@link io.meshfed.gateway.eastwest.GatewayStats}. */
package io.meshfed.gateway.eastwest.stats;
