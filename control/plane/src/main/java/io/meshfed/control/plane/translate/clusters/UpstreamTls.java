package io.meshfed.control.plane.translate.clusters;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.meshfed.control.plane.istio.DestinationRule.ClientTls;
import io.meshfed.control.plane.istio.DestinationRule.TlsMode;
import io.meshfed.control.plane.translate.model.Names;
import io.meshfed.control.plane.xds.TypedAny;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** Istio mTLS and TLS origination contexts, and the transport sockets carrying them. */
public final class UpstreamTls {

  /** Istio's mTLS ALPNs, offered by clients (docs/xds-profile.md). */
  public static final List<String> ISTIO_ALPN = List.of("istio-peer-exchange", "istio", "h2", "http/1.1");
  /** Where Istio's gateways find the system's roots; meshfed's gateways read it as "the JDK's roots". */
  public static final String SYSTEM_ROOTS = "/etc/ssl/certs/ca-certificates.crt";
  static final String TLS_SOCKET = "envoy.transport_sockets.tls";
  static final String RAW_BUFFER = "envoy.transport_sockets.raw_buffer";

  // Immutable protos shared by every resource that uses them.
  private static final ConfigSource ADS = ConfigSource.newBuilder()
      .setAds(AggregatedConfigSource.getDefaultInstance()).setResourceApiVersion(ApiVersion.V3).build();
  private static final SdsSecretConfig DEFAULT_SDS = SdsSecretConfig.newBuilder().setName(Names.DEFAULT_SECRET)
      .setSdsConfig(ADS).build();
  private static final SdsSecretConfig ROOT_CA_SDS = SdsSecretConfig.newBuilder().setName(Names.ROOT_CA_SECRET)
      .setSdsConfig(ADS).build();
  private static final TransportSocket RAW_BUFFER_SOCKET = TransportSocket.newBuilder().setName(RAW_BUFFER)
      .setTypedConfig(TypedAny.pack(RawBuffer.getDefaultInstance())).build();
  private static final ByteString UPSTREAM_TLS_TYPE = TypedAny.typeUrl(UpstreamTlsContext.getDescriptor());

  private UpstreamTls() {
  }

  /** {@code ads {}} as a config source (Envoy v3 resources). */
  public static ConfigSource ads() {
    return ADS;
  }

  /** An SDS reference over ADS. */
  public static SdsSecretConfig sds(String name) {
    if (name.equals(Names.DEFAULT_SECRET)) {
      return DEFAULT_SDS;
    }
    if (name.equals(Names.ROOT_CA_SECRET)) {
      return ROOT_CA_SDS;
    }
    return SdsSecretConfig.newBuilder().setName(name).setSdsConfig(ADS).build();
  }

  /**
   * The common context of Istio mTLS, both directions: the SVID {@code default}, peers verified against
   * {@code ROOTCA} and accepted when their SPIFFE ID is in one of the trust domains.
   */
  public static CommonTlsContext istioCommon(List<String> trustDomains, List<String> alpn) {
    CertificateValidationContext.Builder sans = CertificateValidationContext.newBuilder();
    for (String domain : trustDomains) {
      sans.addMatchTypedSubjectAltNames(SubjectAltNameMatcher.newBuilder()
          .setSanType(SubjectAltNameMatcher.SanType.URI)
          .setMatcher(StringMatcher.newBuilder().setPrefix("spiffe://" + domain + "/")));
    }
    return CommonTlsContext.newBuilder()
        .addTlsCertificateSdsSecretConfigs(sds(Names.DEFAULT_SECRET))
        .setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
            .setDefaultValidationContext(sans)
            .setValidationContextSdsSecretConfig(sds(Names.ROOT_CA_SECRET)))
        .addAllAlpnProtocols(alpn)
        .build();
  }

  /**
   * Istio mTLS to peers of some trust domains, with each peer's cross-cluster SNI: what an {@code UpstreamTlsContext}
   * of {@link #istioCommon} and the SNI gives, with the common context serialised once instead of once per cluster
   * (tens of thousands in a large mesh). Immutable.
   */
  public static final class Istio {
    // envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
    private static final int COMMON_TLS_CONTEXT = 1;
    private static final int SNI = 2;

    private final byte[] common;

    /** @param trustDomains the peers' trust domains ({@link #istioCommon}), with Istio's ALPNs */
    public Istio(List<String> trustDomains) {
      this.common = istioCommon(trustDomains, ISTIO_ALPN).toByteArray();
    }

    /** The transport socket for a peer reached with {@code sni}. */
    public TransportSocket socket(String sni) {
      // UpstreamTlsContext's fields in field-number order, as its serialisation writes them: the common context (a
      // message field, set: written even if it were empty), then the SNI (a proto3 string: not written when empty).
      int size = CodedOutputStream.computeByteArraySize(COMMON_TLS_CONTEXT, common)
          + (sni.isEmpty() ? 0 : CodedOutputStream.computeStringSize(SNI, sni));
      byte[] bytes = new byte[size];
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      try {
        out.writeByteArray(COMMON_TLS_CONTEXT, common);
        if (!sni.isEmpty()) {
          out.writeString(SNI, sni);
        }
        out.checkNoSpaceLeft();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return TransportSocket.newBuilder().setName(TLS_SOCKET).setTypedConfig(TypedAny.wrap(UPSTREAM_TLS_TYPE, bytes))
          .build();
    }
  }

  public static TransportSocket rawBuffer() {
    return RAW_BUFFER_SOCKET;
  }

  /**
   * TLS origination (DestinationRule {@code tls.mode} SIMPLE or MUTUAL): the server verified against the
   * {@code credentialName}'s CA, or the system roots; a client certificate from {@code credentialName} for MUTUAL;
   * {@code subjectAltNames} as exact SAN matches (Istio's); no verification with {@code insecureSkipVerify}.
   */
  public static TransportSocket originate(ClientTls tls, String sni) {
    CommonTlsContext.Builder common = CommonTlsContext.newBuilder();
    if (tls.mode() == TlsMode.MUTUAL && tls.credentialName().isPresent()) {
      common.addTlsCertificateSdsSecretConfigs(sds(Names.credential(tls.credentialName().get())));
    }
    if (!tls.insecureSkipVerify()) {
      CertificateValidationContext.Builder validation = CertificateValidationContext.newBuilder();
      for (String san : tls.subjectAltNames()) {
        validation.addMatchTypedSubjectAltNames(SubjectAltNameMatcher.newBuilder()
            .setSanType(san.startsWith("spiffe://") ? SubjectAltNameMatcher.SanType.URI
                : SubjectAltNameMatcher.SanType.DNS)
            .setMatcher(StringMatcher.newBuilder().setExact(san)));
      }
      if (tls.credentialName().isPresent()) {
        common.setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
            .setDefaultValidationContext(validation)
            .setValidationContextSdsSecretConfig(sds(Names.credentialCa(tls.credentialName().get()))));
      } else {
        validation.setTrustedCa(DataSource.newBuilder().setFilename(SYSTEM_ROOTS));
        common.setValidationContext(validation);
      }
    }
    UpstreamTlsContext context = UpstreamTlsContext.newBuilder().setSni(sni).setCommonTlsContext(common).build();
    return TransportSocket.newBuilder().setName(TLS_SOCKET).setTypedConfig(TypedAny.pack(UPSTREAM_TLS_TYPE, context))
        .build();
  }
}
