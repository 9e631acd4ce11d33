/**
 * The SPIFFE mTLS relay that carries all Hazelcast member traffic between hosts (OSS Hazelcast has no TLS), and the
 * {@link io.meshfed.federation.relay.FederationTls} interface through which the trust module supplies SVIDs.
 */
package io.meshfed.federation.relay;
