package io.meshfed.control.plane.translate.security;

import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.meshfed.control.plane.translate.TlsCredential;
import io.meshfed.control.plane.translate.model.Names;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SDS secrets (docs/xds-profile.md, "Secrets"): {@code default} (a gateway's SVID), {@code ROOTCA} (the trust
 * bundle), {@code kubernetes://<credentialName>} and its {@code -cacert} from Kubernetes Secrets (keys
 * {@code tls.crt}/{@code tls.key}/{@code ca.crt}, or {@code cert}/{@code key}/{@code cacert} as Istio accepts).
 * Key material is only ever copied into the resource, never into messages.
 */
public final class Secrets {

  private static final List<String> CERT_KEYS = List.of("tls.crt", "cert");
  private static final List<String> KEY_KEYS = List.of("tls.key", "key");
  private static final List<String> CA_KEYS = List.of("ca.crt", "cacert");

  private Secrets() {
  }

  public static Secret svid(TlsCredential credential) {
    return Secret.newBuilder().setName(Names.DEFAULT_SECRET).setTlsCertificate(TlsCertificate.newBuilder()
        .setCertificateChain(DataSource.newBuilder().setInlineString(credential.certificateChainPem()))
        .setPrivateKey(DataSource.newBuilder().setInlineString(credential.privateKeyPem()))).build();
  }

  public static Secret rootCa(String bundlePem) {
    return Secret.newBuilder().setName(Names.ROOT_CA_SECRET).setValidationContext(CertificateValidationContext
        .newBuilder().setTrustedCa(DataSource.newBuilder().setInlineString(bundlePem))).build();
  }

  /** {@code kubernetes://<name>} from a Secret's certificate and key, if it has both. */
  public static Optional<Secret> certificate(String credentialName, io.fabric8.kubernetes.api.model.Secret secret) {
    Optional<String> cert = value(secret, CERT_KEYS);
    Optional<String> key = value(secret, KEY_KEYS);
    if (cert.isEmpty() || key.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(Secret.newBuilder().setName(Names.credential(credentialName))
        .setTlsCertificate(TlsCertificate.newBuilder()
            .setCertificateChain(DataSource.newBuilder().setInlineString(cert.get()))
            .setPrivateKey(DataSource.newBuilder().setInlineString(key.get())))
        .build());
  }

  /** {@code kubernetes://<name>-cacert} from a Secret's CA certificate, if it has one. */
  public static Optional<Secret> caCertificate(String credentialName, io.fabric8.kubernetes.api.model.Secret secret) {
    return value(secret, CA_KEYS).map(ca -> Secret.newBuilder().setName(Names.credentialCa(credentialName))
        .setValidationContext(CertificateValidationContext.newBuilder()
            .setTrustedCa(DataSource.newBuilder().setInlineString(ca)))
        .build());
  }

  private static Optional<String> value(io.fabric8.kubernetes.api.model.Secret secret, List<String> keys) {
    Map<String, String> data = secret.getData();
    Map<String, String> stringData = secret.getStringData();
    for (String key : keys) {
      if (stringData != null && stringData.get(key) != null && !stringData.get(key).isEmpty()) {
        return Optional.of(stringData.get(key));
      }
      if (data != null && data.get(key) != null && !data.get(key).isEmpty()) {
        try {
          return Optional.of(new String(Base64.getMimeDecoder().decode(data.get(key)), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }
}
