/**
 * The control plane's embedded Hazelcast member: loopback, Kubernetes-discovery and relayed forms, and reporting of
 * members that belong to another mesh.
 */
package io.meshfed.federation.membership;
