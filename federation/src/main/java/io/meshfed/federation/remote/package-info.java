/**
 * Remote clusters registered by Secret (Istio's remote-secret contract and meshfed's labels and annotations):
 * parsing, one client and informer set per cluster, rotation without endpoint flap, isolation and reporting of bad
 * Secrets and unreachable API servers.
 */
package io.meshfed.federation.remote;
