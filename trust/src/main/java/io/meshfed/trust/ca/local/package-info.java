/**
 * The embedded local CA: the root in the data directory ({@link io.meshfed.trust.ca.local.LocalRoot}, key file 0600)
 * and the CA that signs through a per-cluster in-memory intermediate
 * ({@link io.meshfed.trust.ca.local.LocalCertificateAuthority}).
 */
package io.meshfed.trust.ca.local;
