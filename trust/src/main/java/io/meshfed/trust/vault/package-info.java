/**
 * Vault-rooted trust domains: settings and login ({@link io.meshfed.trust.vault.VaultSettings},
 * {@link io.meshfed.trust.vault.VaultAuth}), the idempotent bootstrap ({@link io.meshfed.trust.vault.VaultBootstrap})
 * and the {@code vault} / {@code vault-sign} CAs ({@link io.meshfed.trust.vault.VaultAuthorities}). Every Vault call
 * goes through the vault-java-driver on one worker thread; PKI paths use engine version 1 and {@code logical()}.
 */
package io.meshfed.trust.vault;
