/**
 * The control plane's CA service: Istio's {@code IstioCertificateService} on :15012, authenticating callers by their
 * current SVID, a Kubernetes service-account token (TokenReview, audience {@code meshfed-ca}) or a bootstrap token of
 * the embedded mode, and signing through trust's {@code CertificateAuthority}. See docs/control-plane.md.
 */
package io.meshfed.control.plane.ca;
