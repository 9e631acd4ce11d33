package io.meshfed.control.plane.webhook;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.trust.Pem;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chart's {@code controlPlane} mode, as istiod does: once the webhook serves, put its CA into {@code caBundle}
 * of {@code meshfed-validator-<ns>} and switch {@code failurePolicy} to {@code Fail} (the chart installs
 * {@code Ignore}, so a fresh install never blocks config writes while the control plane starts). Replicas with their
 * own webhook CAs each add theirs: the bundle is the union of the CAs already there (expired ones dropped) and ours.
 */
final class CaBundlePatcher {

  private static final Logger LOG = LoggerFactory.getLogger(CaBundlePatcher.class);

  private CaBundlePatcher() {
  }

  /** Blocking (API calls). Returns false when the configuration does not exist (nothing to patch). */
  static boolean patch(KubernetesClient client, String name, X509Certificate ca) {
    ValidatingWebhookConfiguration current = client.admissionRegistration().v1().validatingWebhookConfigurations()
        .withName(name).get();
    if (current == null) {
      LOG.info("webhook: ValidatingWebhookConfiguration {} not found; caBundle not patched", name);
      return false;
    }
    client.admissionRegistration().v1().validatingWebhookConfigurations().withName(name).edit(configuration -> {
      for (ValidatingWebhook webhook : configuration.getWebhooks()) {
        String existing = webhook.getClientConfig() == null ? null : webhook.getClientConfig().getCaBundle();
        webhook.getClientConfig().setCaBundle(Base64.getEncoder().encodeToString(
            merged(existing, ca).getBytes(StandardCharsets.US_ASCII)));
        webhook.setFailurePolicy("Fail");
      }
      return configuration;
    });
    LOG.info("webhook: patched caBundle and failurePolicy Fail of {}", name);
    return true;
  }

  static String merged(String existingBase64, X509Certificate ours) {
    List<X509Certificate> keep = new ArrayList<>();
    if (existingBase64 != null && !existingBase64.isBlank()) {
      try {
        String pem = new String(Base64.getDecoder().decode(existingBase64), StandardCharsets.US_ASCII);
        Date now = new Date();
        for (X509Certificate certificate : Pem.certificates(pem, "caBundle")) {
          if (certificate.getNotAfter().after(now) && !sameCertificate(certificate, ours)) {
            keep.add(certificate);
          }
        }
      } catch (RuntimeException unreadable) {
        LOG.warn("webhook: the existing caBundle cannot be read ({}); replacing it", unreadable.getMessage());
      }
    }
    keep.add(ours);
    return Pem.encodeCertificates(keep);
  }

  private static boolean sameCertificate(X509Certificate a, X509Certificate b) {
    try {
      return Arrays.equals(a.getEncoded(), b.getEncoded());
    } catch (CertificateEncodingException e) {
      return false;
    }
  }
}
