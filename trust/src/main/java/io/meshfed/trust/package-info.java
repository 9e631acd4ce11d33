/**
 * meshfed's trust domain: SPIFFE identities, CA backends (Vault PKI, local file CA), SVID issuance and rotation, trust bundles, and the TLS option factories every meshfed endpoint is built with.
 */
package io.meshfed.trust;
