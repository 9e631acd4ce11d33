package io.meshfed.gateway.eastwest.config;

import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.meshfed.gateway.eastwest.config.SecretTranslator.SecretValue;
import io.meshfed.gateway.eastwest.matcher.StringMatch;
import io.meshfed.gateway.eastwest.tls.ClientTlsSpec;
import io.meshfed.gateway.eastwest.tls.PeerValidation;
import io.meshfed.gateway.eastwest.tls.ServerTlsSpec;
import io.meshfed.gateway.eastwest.tls.TlsCertificate;
import io.meshfed.gateway.eastwest.tls.TlsParameters;
import io.meshfed.gateway.eastwest.tls.TrustBundle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code DownstreamTlsContext} / {@code UpstreamTlsContext} with SDS references to {@code default} and
 * {@code ROOTCA}, as the profile writes them. A reference to a secret that has not arrived is not an error: the
 * result names it as missing (Envoy's warming), and the chain or cluster waits.
 */
final class TlsContextTranslator {

  /** The ALPN of Istio's TCP metadata exchange; selecting it obliges the server to speak that exchange. */
  static final String PEER_EXCHANGE_ALPN = "istio-peer-exchange";

  /** A translation that either produced a value, waits for a secret ({@code missing}), or failed (both empty). */
  record Resolved<T>(T value, String missing) {
    static <T> Resolved<T> failed() {
      return new Resolved<>(null, "");
    }
  }

  private final Map<String, SecretValue> secrets;

  TlsContextTranslator(Map<String, SecretValue> secrets) {
    this.secrets = secrets;
  }

  /**
   * The server side of a terminating chain. {@code istio-peer-exchange} is left out of the server's ALPN list: the
   * gateway does not run Istio's metadata-exchange filter, and a client that negotiated it would prefix its stream
   * with exchange frames the upstream would then receive.
   */
  Resolved<ServerTlsSpec> downstream(DownstreamTlsContext context, Scope scope) {
    scope.allowOnly(context, Set.of("common_tls_context", "require_client_certificate"));
    Scope common = scope.field("common_tls_context");
    CommonParts parts = common(context.getCommonTlsContext(), common, true);
    if (parts == null) {
      return Resolved.failed();
    }
    if (!parts.missing().isEmpty()) {
      return new Resolved<>(null, parts.missing());
    }
    boolean require = context.hasRequireClientCertificate() && context.getRequireClientCertificate().getValue();
    if (require && parts.validation() == null) {
      scope.field("require_client_certificate").error("true without a validation context (expected:"
          + " combined_validation_context or validation_context_sds_secret_config to verify clients against)");
      return Resolved.failed();
    }
    List<String> alpn = new ArrayList<>(parts.alpn());
    alpn.remove(PEER_EXCHANGE_ALPN);
    return new Resolved<>(new ServerTlsSpec(parts.certificate(), parts.validation(), require, alpn,
        parts.parameters()), "");
  }

  /** The client side toward an upstream host. */
  Resolved<ClientTlsSpec> upstream(UpstreamTlsContext context, Scope scope) {
    scope.allowOnly(context, Set.of("common_tls_context", "sni"));
    CommonParts parts = common(context.getCommonTlsContext(), scope.field("common_tls_context"), false);
    if (parts == null) {
      return Resolved.failed();
    }
    if (!parts.missing().isEmpty()) {
      return new Resolved<>(null, parts.missing());
    }
    return new Resolved<>(new ClientTlsSpec(context.getSni(), parts.certificate(), parts.validation(), parts.alpn(),
        parts.parameters()), "");
  }

  private record CommonParts(TlsCertificate certificate, PeerValidation validation, List<String> alpn,
      TlsParameters parameters, String missing) {
  }

  private CommonParts common(CommonTlsContext common, Scope scope, boolean server) {
    int before = errorsMarker(scope);
    scope.allowOnly(common, Set.of("tls_certificate_sds_secret_configs", "combined_validation_context",
        "validation_context_sds_secret_config", "alpn_protocols", "tls_params"));
    List<String> missing = new ArrayList<>();
    TlsCertificate certificate = null;
    int certificates = common.getTlsCertificateSdsSecretConfigsCount();
    if (certificates > 1 || (server && certificates == 0)) {
      scope.field("tls_certificate_sds_secret_configs").error(certificates + " entries (expected: "
          + (server ? "exactly one" : "at most one") + ", the SDS secret default)");
    } else if (certificates == 1) {
      Scope sds = scope.index("tls_certificate_sds_secret_configs", 0);
      String name = sdsName(common.getTlsCertificateSdsSecretConfigs(0), sds);
      if (name != null) {
        SecretValue value = secrets.get(name);
        if (value == null) {
          missing.add("Secret " + name);
        } else if (value.certificate() == null) {
          sds.field("name").error(name + " is a validation context (expected: a tls_certificate secret)");
        } else {
          certificate = value.certificate();
        }
      }
    }
    PeerValidation validation = null;
    String bundleName = null;
    List<StringMatch> sans = new ArrayList<>();
    if (common.hasCombinedValidationContext()) {
      Scope combined = scope.field("combined_validation_context");
      var context = common.getCombinedValidationContext();
      combined.allowOnly(context, Set.of("default_validation_context", "validation_context_sds_secret_config"));
      sans = subjectAltNames(context.getDefaultValidationContext(), combined.field("default_validation_context"));
      if (!context.hasValidationContextSdsSecretConfig()) {
        combined.field("validation_context_sds_secret_config").error("absent (expected: the SDS secret ROOTCA)");
      } else {
        bundleName = sdsName(context.getValidationContextSdsSecretConfig(),
            combined.field("validation_context_sds_secret_config"));
      }
    } else if (common.hasValidationContextSdsSecretConfig()) {
      bundleName = sdsName(common.getValidationContextSdsSecretConfig(),
          scope.field("validation_context_sds_secret_config"));
    }
    if (bundleName != null) {
      SecretValue value = secrets.get(bundleName);
      if (value == null) {
        missing.add("Secret " + bundleName);
      } else if (value.bundle() == null) {
        scope.field("validation_context_sds_secret_config.name").error(bundleName
            + " is a tls_certificate (expected: a validation_context secret with trusted_ca)");
      } else {
        TrustBundle bundle = value.bundle();
        validation = new PeerValidation(bundle, sans);
      }
    }
    TlsParameters parameters = parameters(common, scope.field("tls_params"));
    if (errorsMarker(scope) != before) {
      return null;
    }
    return new CommonParts(certificate, validation, List.copyOf(common.getAlpnProtocolsList()), parameters,
        String.join(", ", missing));
  }

  private static int errorsMarker(Scope scope) {
    return scope.problemCount();
  }

  private static List<StringMatch> subjectAltNames(CertificateValidationContext context, Scope scope) {
    scope.allowOnly(context, Set.of("match_typed_subject_alt_names", "match_subject_alt_names"));
    List<StringMatch> matchers = new ArrayList<>();
    for (int i = 0; i < context.getMatchTypedSubjectAltNamesCount(); i++) {
      SubjectAltNameMatcher matcher = context.getMatchTypedSubjectAltNames(i);
      Scope at = scope.index("match_typed_subject_alt_names", i);
      at.allowOnly(matcher, Set.of("san_type", "matcher"));
      if (matcher.getSanType() != SubjectAltNameMatcher.SanType.URI) {
        at.field("san_type").error(matcher.getSanType() + " (expected: URI; peers are identified by SPIFFE ID)");
        continue;
      }
      StringMatch match = Matchers.string(matcher.getMatcher(), at.field("matcher"));
      if (match != null) {
        matchers.add(match);
      }
    }
    for (int i = 0; i < context.getMatchSubjectAltNamesCount(); i++) {
      StringMatch match = Matchers.string(context.getMatchSubjectAltNames(i),
          scope.index("match_subject_alt_names", i));
      if (match != null) {
        matchers.add(match);
      }
    }
    return matchers;
  }

  private static TlsParameters parameters(CommonTlsContext common, Scope scope) {
    if (!common.hasTlsParams()) {
      return TlsParameters.DEFAULT;
    }
    var params = common.getTlsParams();
    scope.allowOnly(params, Set.of("tls_minimum_protocol_version", "tls_maximum_protocol_version", "cipher_suites"));
    String min = version(params.getTlsMinimumProtocolVersion(), scope.field("tls_minimum_protocol_version"));
    String max = version(params.getTlsMaximumProtocolVersion(), scope.field("tls_maximum_protocol_version"));
    return new TlsParameters(min == null ? "" : min, max == null ? "" : max, params.getCipherSuitesList());
  }

  private static String version(
      io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters.TlsProtocol protocol, Scope scope) {
    return switch (protocol) {
      case TLS_AUTO -> "";
      case TLSv1_2 -> "TLSv1.2";
      case TLSv1_3 -> "TLSv1.3";
      default -> {
        scope.error(protocol + " (expected: TLS_AUTO, TLSv1_2 or TLSv1_3)");
        yield null;
      }
    };
  }

  /** The name of an SDS reference delivered over ADS (the only SDS source the gateway has). */
  static String sdsName(SdsSecretConfig config, Scope scope) {
    scope.allowOnly(config, Set.of("name", "sds_config"));
    if (config.getName().isEmpty()) {
      scope.field("name").error("empty (expected: default or ROOTCA)");
      return null;
    }
    if (config.hasSdsConfig() && !isAds(config.getSdsConfig())) {
      scope.field("sds_config").error("not ads (expected: {ads: {}}; the gateway receives secrets over ADS only)");
      return null;
    }
    return config.getName();
  }

  static boolean isAds(ConfigSource source) {
    return source.hasAds() && source.getPath().isEmpty() && !source.hasApiConfigSource();
  }
}
