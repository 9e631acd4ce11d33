/**
 * What a gateway shares with its control plane: the xDS (ADS) client, the Envoy response-flag vocabulary, and the gateway lifecycle pieces (health, metrics, drain, the staged close of a downstream connection). Gateways depend on this module, never on the control plane's server code.
 */
package io.meshfed.control.client;
