/**
 * Certificate authorities: the {@link io.meshfed.trust.ca.CertificateAuthority} interface, its config
 * ({@link io.meshfed.trust.ca.CaConfig}, {@link io.meshfed.trust.ca.CaMode}), CSR handling on both sides
 * ({@link io.meshfed.trust.ca.SvidRequest} for workloads, {@link io.meshfed.trust.ca.CertificateRequest} for CAs) and
 * the in-memory intermediate that signs leaves ({@link io.meshfed.trust.ca.IntermediateSigner}).
 * Backends live in {@code ca.local} and {@code vault}.
 */
package io.meshfed.trust.ca;
