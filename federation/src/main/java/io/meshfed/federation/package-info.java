/**
 * Cross-cluster endpoint discovery: the Hazelcast catalog of clusters and exported services ({@code catalog}),
 * Kubernetes objects as catalog entries ({@code discovery}), remote clusters registered by Secret ({@code remote}),
 * the member and its SPIFFE mTLS relay ({@code membership}, {@code relay}), and {@code meshfed create-remote-secret}
 * ({@code cli}). See docs/federation.md.
 */
package io.meshfed.federation;
