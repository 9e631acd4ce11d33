/**
 * Cross-cluster endpoint discovery: the Hazelcast catalog of clusters and exported services, ownership and fencing, leases, anti-entropy, and remote clusters registered by Secret.
 */
package io.meshfed.federation;
