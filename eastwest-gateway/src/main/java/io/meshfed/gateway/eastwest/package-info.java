/**
 * The east-west gateway: the :15443 SNI router (passthrough and terminate) and the outbound listener, driven by xDS.
 */
package io.meshfed.gateway.eastwest;
