package io.meshfed.gateway.l7.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.meshfed.gateway.l7.EngineTestBase;
import io.meshfed.gateway.l7.config.XdsResources;
import io.meshfed.gateway.l7.testing.Backend;
import io.meshfed.gateway.l7.testing.Http;
import io.meshfed.gateway.l7.testing.TestPki;
import io.meshfed.gateway.l7.testing.TlsPeer;
import io.meshfed.gateway.l7.testing.Xds;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * TLS to upstreams: Istio mTLS with the cross-cluster SNI to {@code tlsMode: istio} endpoints (a remote east-west
 * gateway stand-in on 127.0.2.1), plaintext to other endpoints of the same cluster, and TLS origination.
 */
class UpstreamTlsTest extends EngineTestBase {

  private static final String SNI = "outbound_.9080_._.reviews.default.svc.cluster.local";

  private static Cluster istioCluster(String name) {
    CommonTlsContext common = CommonTlsContext.newBuilder()
        .addTlsCertificateSdsSecretConfigs(SdsSecretConfig.newBuilder().setName("default").setSdsConfig(Xds.ads()))
        .setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
            .setDefaultValidationContext(CertificateValidationContext.newBuilder().addMatchTypedSubjectAltNames(
                SubjectAltNameMatcher.newBuilder().setSanType(SubjectAltNameMatcher.SanType.URI)
                    .setMatcher(StringMatcher.newBuilder().setPrefix("spiffe://cluster.local/"))))
            .setValidationContextSdsSecretConfig(SdsSecretConfig.newBuilder().setName("ROOTCA")
                .setSdsConfig(Xds.ads())))
        .addAlpnProtocols("istio-peer-exchange").addAlpnProtocols("istio").addAlpnProtocols("h2")
        .addAlpnProtocols("http/1.1").build();
    return Xds.edsCluster(name)
        .addTransportSocketMatches(Cluster.TransportSocketMatch.newBuilder().setName("tlsMode-istio")
            .setMatch(com.google.protobuf.Struct.newBuilder().putFields("tlsMode",
                com.google.protobuf.Value.newBuilder().setStringValue("istio").build()))
            .setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.tls")
                .setTypedConfig(Any.pack(UpstreamTlsContext.newBuilder().setSni(SNI).setCommonTlsContext(common)
                    .build()))))
        .addTransportSocketMatches(Cluster.TransportSocketMatch.newBuilder().setName("tlsMode-disabled")
            .setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.raw_buffer")
                .setTypedConfig(Any.pack(RawBuffer.getDefaultInstance()))))
        .build();
  }

  @Test
  void originatesIstioMutualTlsWithTheCrossClusterSni() throws Exception {
    TestPki mesh = new TestPki("mesh-root");
    TestPki.Leaf eastGateway = mesh.leaf("ingress", List.of(),
        List.of("spiffe://cluster.local/ns/istio-system/sa/meshfed-ingress"));
    TestPki.Leaf westGateway = mesh.leaf("eastwest", List.of(),
        List.of("spiffe://cluster.local/ns/istio-system/sa/meshfed-eastwest"));
    TlsPeer remote = closeLater(new TlsPeer("127.0.2.1", westGateway, mesh, List.of("istio", "http/1.1")));
    Backend local = backend("local-plaintext");
    String cluster = "outbound|9080||reviews.default.svc.cluster.local";

    apply(XdsResources.builder().listener(Xds.httpListener("l", "r")).route(Xds.catchAll("r", cluster))
        .cluster(istioCluster(cluster))
        .endpoints(Xds.assignment(cluster, Xds.endpoint("127.0.2.1", remote.port()).toBuilder()
            .setMetadata(Xds.istioTlsMetadata()).build()))
        .secret(Xds.tlsSecret("default", eastGateway.chainPem(), eastGateway.keyPem()))
        .secret(Xds.caSecret("ROOTCA", mesh.caPem()))
        .build());

    Http.Response response = http.get(port("l"), "reviews:9080", "/reviews/0");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().getString("sni")).isEqualTo(SNI);
    assertThat(response.json().getString("client"))
        .isEqualTo("spiffe://cluster.local/ns/istio-system/sa/meshfed-ingress");
    assertThat(response.json().getString("alpn")).isIn("istio", "http/1.1");
    assertThat(response.json().getString("uri")).isEqualTo("/reviews/0");

    // The same cluster, an endpoint without tlsMode metadata: plaintext.
    apply(XdsResources.builder().listener(Xds.httpListener("l", "r")).route(Xds.catchAll("r", cluster))
        .cluster(istioCluster(cluster))
        .endpoints(Xds.assignment(cluster, Xds.endpoint("127.0.0.1", local.port())))
        .secret(Xds.tlsSecret("default", eastGateway.chainPem(), eastGateway.keyPem()))
        .secret(Xds.caSecret("ROOTCA", mesh.caPem()))
        .build());
    assertThat(http.get(port("l"), "reviews:9080", "/").json().getString("backend")).isEqualTo("local-plaintext");
  }

  @Test
  void refusesAnUpstreamWhoseSpiffeIdIsOutsideTheTrustDomain() throws Exception {
    TestPki mesh = new TestPki("mesh-root");
    TestPki.Leaf ours = mesh.leaf("ingress", List.of(), List.of("spiffe://cluster.local/ns/a/sa/b"));
    TestPki.Leaf foreign = mesh.leaf("foreign", List.of(), List.of("spiffe://evil.org/ns/a/sa/b"));
    TlsPeer remote = closeLater(new TlsPeer("127.0.2.2", foreign, null, List.of()));
    String cluster = "outbound|9080||reviews.default.svc.cluster.local";
    apply(XdsResources.builder().listener(Xds.httpListener("l", "r")).route(Xds.catchAll("r", cluster))
        .cluster(istioCluster(cluster))
        .endpoints(Xds.assignment(cluster, Xds.endpoint("127.0.2.2", remote.port()).toBuilder()
            .setMetadata(Xds.istioTlsMetadata()).build()))
        .secret(Xds.tlsSecret("default", ours.chainPem(), ours.keyPem()))
        .secret(Xds.caSecret("ROOTCA", mesh.caPem()))
        .build());

    Http.Response response = http.get(port("l"), "reviews:9080", "/");

    assertThat(response.status()).isEqualTo(503);
    assertThat(response.header("x-meshfed-flags")).isEqualTo("UF");
    assertThat(response.body()).contains("TLS handshake");
  }

  @Test
  void originatesTlsForEgressWithSniAndCaFromTheDestinationRule() throws Exception {
    TestPki external = new TestPki("external-ca");
    TestPki.Leaf api = external.leaf("api", List.of("api.example.com"), List.of());
    TlsPeer service = closeLater(new TlsPeer("127.0.3.1", api, null, List.of()));
    UpstreamTlsContext tls = UpstreamTlsContext.newBuilder().setSni("api.example.com")
        .setCommonTlsContext(CommonTlsContext.newBuilder().setValidationContext(CertificateValidationContext
            .newBuilder().setTrustedCa(io.envoyproxy.envoy.config.core.v3.DataSource.newBuilder()
                .setInlineString(external.caPem()))
            .addMatchTypedSubjectAltNames(SubjectAltNameMatcher.newBuilder()
                .setSanType(SubjectAltNameMatcher.SanType.DNS)
                .setMatcher(StringMatcher.newBuilder().setExact("api.example.com"))))).build();
    Cluster cluster = Xds.staticCluster("outbound|443||api.example.com", "127.0.3.1", service.port()).toBuilder()
        .setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.tls")
            .setTypedConfig(Any.pack(tls))).build();
    apply(XdsResources.builder().listener(Xds.httpListener("l", "r"))
        .route(Xds.catchAll("r", "outbound|443||api.example.com")).cluster(cluster).build());

    Http.Response response = http.get(port("l"), "api.example.com", "/v1/items");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().getString("sni")).isEqualTo("api.example.com");
    assertThat(response.json().getString("uri")).isEqualTo("/v1/items");
  }
}
