package io.meshfed.gateway.l7.config;

import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.meshfed.gateway.l7.routing.StringMatch;
import io.meshfed.gateway.l7.tls.DownstreamTlsSpec;
import io.meshfed.gateway.l7.tls.SanMatcher;
import io.meshfed.gateway.l7.tls.SecretSpec;
import io.meshfed.gateway.l7.tls.UpstreamTlsSpec;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Compiles SDS secrets and the TLS contexts of listeners and clusters (profile: "Secrets (SDS)", "Clusters", TLS
 * to the upstream, and "Ingress gateway" HTTPS servers).
 */
final class TlsCompiler {

  static final String TLS_SOCKET = "envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";
  static final String UPSTREAM_TLS_SOCKET = "envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext";
  static final String RAW_BUFFER = "envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer";

  /** Inline certificates of a context (static configurations such as the benchmark's) get this SDS-like name. */
  static final String INLINE_PREFIX = "inline:";

  private TlsCompiler() {
  }

  static SecretSpec secret(Secret secret, Problems problems) {
    Protos.allowOnly(secret, "", problems, Set.of("name", "tls_certificate", "validation_context"));
    return switch (secret.getTypeCase()) {
      case TLS_CERTIFICATE -> certificate(secret.getName(), secret.getTlsCertificate(), "tls_certificate", problems);
      case VALIDATION_CONTEXT -> {
        CertificateValidationContext context = secret.getValidationContext();
        yield new SecretSpec.ValidationContext(secret.getName(),
            trustedCas(context, "validation_context", problems),
            sans(context, "validation_context", problems));
      }
      default -> {
        problems.unsupported("", "secret type " + secret.getTypeCase()
            + " (expected: tls_certificate or validation_context)");
        yield null;
      }
    };
  }

  static SecretSpec.TlsCertificate certificate(String name,
                                               io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate
                                                   certificate, String path, Problems problems) {
    Protos.allowOnly(certificate, path, problems, Set.of("certificate_chain", "private_key"));
    byte[] chain = Protos.inline(certificate.getCertificateChain(), path + ".certificate_chain", problems);
    byte[] key = Protos.inline(certificate.getPrivateKey(), path + ".private_key", problems);
    if (chain == null || key == null) {
      return null;
    }
    List<X509Certificate> parsed = parseCertificates(chain, path + ".certificate_chain", problems);
    if (parsed.isEmpty()) {
      problems.error(path + ".certificate_chain", "no certificate (expected: PEM certificates, leaf first)");
      return null;
    }
    String keyText = new String(key, StandardCharsets.US_ASCII);
    if (!keyText.contains("-----BEGIN") || !keyText.contains("PRIVATE KEY-----")) {
      // The key itself is never logged: only what kind of content was expected.
      problems.error(path + ".private_key", "not a PEM private key (expected: PKCS#8, PKCS#1 or SEC1 PEM)");
      return null;
    }
    return new SecretSpec.TlsCertificate(name, chain, key, List.copyOf(parsed));
  }

  private static List<X509Certificate> parseCertificates(byte[] pem, String path, Problems problems) {
    try {
      List<X509Certificate> certificates = new ArrayList<>();
      for (var certificate : CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem))) {
        certificates.add((X509Certificate) certificate);
      }
      return certificates;
    } catch (CertificateException e) {
      problems.error(path, "not PEM certificates: " + e.getMessage() + " (expected: -----BEGIN CERTIFICATE-----)");
      return List.of();
    }
  }

  private static List<X509Certificate> trustedCas(CertificateValidationContext context, String path,
                                                  Problems problems) {
    if (!context.hasTrustedCa()) {
      return List.of();
    }
    if (context.getTrustedCa().getFilename().equals(Protos.SYSTEM_ROOTS_FILE)) {
      return List.of();
    }
    byte[] pem = Protos.inline(context.getTrustedCa(), path + ".trusted_ca", problems);
    if (pem == null) {
      return List.of();
    }
    List<X509Certificate> cas = parseCertificates(pem, path + ".trusted_ca", problems);
    if (cas.isEmpty()) {
      problems.error(path + ".trusted_ca", "no certificate (expected: PEM CA certificates)");
    }
    return List.copyOf(cas);
  }

  private static boolean systemRoots(CertificateValidationContext context) {
    return context.hasSystemRootCerts()
        || (context.hasTrustedCa() && context.getTrustedCa().getFilename().equals(Protos.SYSTEM_ROOTS_FILE));
  }

  private static List<SanMatcher> sans(CertificateValidationContext context, String path, Problems problems) {
    Protos.allowOnly(context, path, problems, Set.of("trusted_ca", "match_typed_subject_alt_names",
        "system_root_certs"));
    List<SanMatcher> matchers = new ArrayList<>();
    for (int i = 0; i < context.getMatchTypedSubjectAltNamesCount(); i++) {
      SubjectAltNameMatcher san = context.getMatchTypedSubjectAltNames(i);
      String at = path + ".match_typed_subject_alt_names[" + i + "]";
      SanMatcher.SanType type = switch (san.getSanType()) {
        case URI -> SanMatcher.SanType.URI;
        case DNS -> SanMatcher.SanType.DNS;
        case EMAIL -> SanMatcher.SanType.EMAIL;
        case IP_ADDRESS -> SanMatcher.SanType.IP_ADDRESS;
        default -> {
          problems.unsupported(at + ".san_type", "SAN type " + san.getSanType()
              + " (expected: URI, DNS, EMAIL or IP_ADDRESS)");
          yield null;
        }
      };
      StringMatch match = MatcherCompiler.string(san.getMatcher(), at + ".matcher", problems);
      if (type != null && match != null) {
        matchers.add(new SanMatcher(type, match));
      }
    }
    return List.copyOf(matchers);
  }

  /** The inline certificates of a context, to be registered as secrets named {@code inline:<path>}. */
  record Inline(List<SecretSpec> secrets) {
  }

  private record Common(List<String> certificateSecrets, String validationSecret,
                        List<X509Certificate> inlineCas, boolean systemRoots, boolean hasValidation,
                        List<SanMatcher> sans, List<String> alpn, String min, String max, List<String> ciphers) {
  }

  private static Common common(CommonTlsContext common, String owner, String path, Problems problems,
                               List<SecretSpec> inlineSecrets) {
    Protos.allowOnly(common, path, problems, Set.of("tls_params", "tls_certificates",
        "tls_certificate_sds_secret_configs", "validation_context", "validation_context_sds_secret_config",
        "combined_validation_context", "alpn_protocols"));
    List<String> certificates = new ArrayList<>();
    for (int i = 0; i < common.getTlsCertificateSdsSecretConfigsCount(); i++) {
      certificates.add(sdsName(common.getTlsCertificateSdsSecretConfigs(i),
          path + ".tls_certificate_sds_secret_configs[" + i + "]", problems));
    }
    for (int i = 0; i < common.getTlsCertificatesCount(); i++) {
      String name = INLINE_PREFIX + owner + "/" + path + ".tls_certificates[" + i + "]";
      SecretSpec.TlsCertificate certificate = certificate(name, common.getTlsCertificates(i),
          path + ".tls_certificates[" + i + "]", problems);
      if (certificate != null) {
        inlineSecrets.add(certificate);
        certificates.add(name);
      }
    }
    String validationSecret = null;
    List<X509Certificate> cas = List.of();
    List<SanMatcher> sans = List.of();
    boolean system = false;
    boolean hasValidation = true;
    switch (common.getValidationContextTypeCase()) {
      case VALIDATION_CONTEXT -> {
        CertificateValidationContext context = common.getValidationContext();
        sans = sans(context, path + ".validation_context", problems);
        cas = trustedCas(context, path + ".validation_context", problems);
        system = systemRoots(context) || cas.isEmpty();
      }
      case VALIDATION_CONTEXT_SDS_SECRET_CONFIG -> validationSecret = sdsName(
          common.getValidationContextSdsSecretConfig(), path + ".validation_context_sds_secret_config", problems);
      case COMBINED_VALIDATION_CONTEXT -> {
        var combined = common.getCombinedValidationContext();
        String at = path + ".combined_validation_context";
        Protos.allowOnly(combined, at, problems, Set.of("default_validation_context",
            "validation_context_sds_secret_config"));
        sans = sans(combined.getDefaultValidationContext(), at + ".default_validation_context", problems);
        cas = trustedCas(combined.getDefaultValidationContext(), at + ".default_validation_context", problems);
        validationSecret = sdsName(combined.getValidationContextSdsSecretConfig(),
            at + ".validation_context_sds_secret_config", problems);
      }
      case VALIDATIONCONTEXTTYPE_NOT_SET -> hasValidation = false;
      default -> problems.unsupported(path, "validation context " + common.getValidationContextTypeCase());
    }
    String min = null;
    String max = null;
    List<String> ciphers = List.of();
    if (common.hasTlsParams()) {
      TlsParameters params = common.getTlsParams();
      Protos.allowOnly(params, path + ".tls_params", problems, Set.of("tls_minimum_protocol_version",
          "tls_maximum_protocol_version", "cipher_suites", "ecdh_curves"));
      min = protocol(params.getTlsMinimumProtocolVersion(), path + ".tls_params.tls_minimum_protocol_version",
          problems);
      max = protocol(params.getTlsMaximumProtocolVersion(), path + ".tls_params.tls_maximum_protocol_version",
          problems);
      ciphers = List.copyOf(params.getCipherSuitesList());
    }
    return new Common(List.copyOf(certificates), validationSecret, cas, system, hasValidation, sans,
        List.copyOf(common.getAlpnProtocolsList()), min, max, ciphers);
  }

  private static String protocol(TlsParameters.TlsProtocol protocol, String path, Problems problems) {
    return switch (protocol) {
      case TLS_AUTO -> null;
      case TLSv1_2 -> "TLSv1.2";
      case TLSv1_3 -> "TLSv1.3";
      default -> {
        problems.unsupported(path, protocol + " (expected: TLS_AUTO, TLSv1_2 or TLSv1_3)");
        yield null;
      }
    };
  }

  private static String sdsName(SdsSecretConfig config, String path, Problems problems) {
    Protos.allowOnly(config, path, problems, Set.of("name", "sds_config"));
    if (config.getName().isEmpty()) {
      problems.error(path + ".name", "empty (expected: an SDS secret name such as default, ROOTCA or "
          + "kubernetes://<credentialName>)");
    }
    if (config.hasSdsConfig() && !config.getSdsConfig().hasAds()) {
      problems.unsupported(path + ".sds_config", "SDS config source other than ads");
    }
    return config.getName();
  }

  static DownstreamTlsSpec downstream(DownstreamTlsContext context, String owner, String path, Problems problems,
                                      List<SecretSpec> inlineSecrets) {
    Protos.allowOnly(context, path, problems, Set.of("common_tls_context", "require_client_certificate"));
    Common common = common(context.getCommonTlsContext(), owner, path + ".common_tls_context", problems,
        inlineSecrets);
    if (common.certificateSecrets.isEmpty()) {
      problems.error(path + ".common_tls_context", "no server certificate (expected: "
          + "tls_certificate_sds_secret_configs [kubernetes://<credentialName>] or tls_certificates)");
    }
    boolean require = context.hasRequireClientCertificate() && context.getRequireClientCertificate().getValue();
    if (require && common.validationSecret == null && common.inlineCas.isEmpty()) {
      problems.error(path + ".require_client_certificate", "true without trusted CAs (expected: "
          + "validation_context_sds_secret_config kubernetes://<credentialName>-cacert, or ROOTCA)");
    }
    return new DownstreamTlsSpec(common.certificateSecrets, common.validationSecret, common.inlineCas, common.sans,
        require, common.alpn, common.min, common.max, common.ciphers);
  }

  static UpstreamTlsSpec upstream(UpstreamTlsContext context, String owner, String path, Problems problems,
                                  List<SecretSpec> inlineSecrets) {
    Protos.allowOnly(context, path, problems, Set.of("common_tls_context", "sni"));
    Common common = common(context.getCommonTlsContext(), owner, path + ".common_tls_context", problems,
        inlineSecrets);
    boolean systemRoots = common.hasValidation && common.validationSecret == null
        && (common.systemRoots || common.inlineCas.isEmpty());
    return new UpstreamTlsSpec(context.getSni(), common.certificateSecrets, common.validationSecret,
        common.inlineCas, systemRoots, common.hasValidation, common.sans, common.alpn, common.min, common.max);
  }
}
