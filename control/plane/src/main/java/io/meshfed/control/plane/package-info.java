/**
 * The per-cluster control plane: config sources, the Istio API subset and its validation, translation to xDS, the ADS and CA servers, the admin API and the operator CLI commands.
 */
package io.meshfed.control.plane;
