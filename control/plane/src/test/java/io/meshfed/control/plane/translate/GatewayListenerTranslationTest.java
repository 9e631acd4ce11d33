package io.meshfed.control.plane.translate;

import static io.meshfed.control.plane.translate.MeshFixture.INGRESS;
import static io.meshfed.control.plane.translate.MeshFixture.assertJson;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.control.plane.translate.TranslationProblem.Kind;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * Istio Gateway servers on an ingress gateway (docs/xds-profile.md, "Ingress gateway"): listeners per port (80 →
 * 8080, 443 → 8443), HTTP, HTTPS SIMPLE/MUTUAL/ISTIO_MUTUAL with SDS credentials, PASSTHROUGH by SNI, TCP, and the
 * problems of servers that cannot be served.
 */
class GatewayListenerTranslationTest {

  private static final String CERT = "-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n";
  private static final String KEY = "-----BEGIN PRIVATE KEY-----\nMIIEkey\n-----END PRIVATE KEY-----\n";
  private static final String CA = "-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n";

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String secret(String name, boolean withCa) {
    return """
        apiVersion: v1
        kind: Secret
        metadata: {name: %s, namespace: istio-system}
        type: kubernetes.io/tls
        data:
          tls.crt: %s
          tls.key: %s
        %s---
        """.formatted(name, b64(CERT), b64(KEY), withCa ? "  ca.crt: " + b64(CA) + "\n" : "");
  }

  private static MeshFixture shop(String servers) {
    return new MeshFixture().ingress()
        .file("k8s.yaml", Kube.service("shop", "web", "http:8000") + Kube.service("shop", "db", "tcp-pg:5432")
            + Kube.endpoints("shop", "web", "http", 8000, "web-1/10.1.0.1/"))
        .file("gateway.yaml", """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: edge, namespace: istio-system}
            spec:
              selector: {istio: ingressgateway}
              servers:
            """ + servers + """
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: web, namespace: shop}
            spec:
              hosts: ["shop.example.com", "admin.example.com"]
              gateways: ["istio-system/edge"]
              http:
              - route:
                - destination: {host: web}
            """);
  }

  private static FilterChain chain(Listener listener, String name) {
    return listener.getFilterChainsList().stream().filter(c -> c.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no chain " + name + " in " + listener.getName()));
  }

  @Test
  void simpleHttpsTerminatesWithTheCredentialOverSdsAndHttpRedirects() {
    MeshFixture fx = shop("""
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: ["shop.example.com"]
            tls: {httpsRedirect: true}
          - port: {number: 443, name: https, protocol: HTTPS}
            hosts: ["shop.example.com"]
            tls: {mode: SIMPLE, credentialName: shop-cert, minProtocolVersion: TLSV1_2}
        """).file("secrets.yaml", secret("shop-cert", false));
    fx.translate();

    assertThat(fx.names(INGRESS, XdsResourceType.LISTENER)).containsExactly("0.0.0.0_8080", "0.0.0.0_8443");
    assertThat(fx.route(INGRESS, "http.8080").getVirtualHosts(0).getRequireTls().name()).isEqualTo("ALL");
    Listener https = fx.listener(INGRESS, "0.0.0.0_8443");
    assertThat(https.getListenerFilters(0).getName()).isEqualTo("envoy.filters.listener.tls_inspector");
    FilterChain chain = chain(https, "https.443.https.edge.istio-system");
    assertJson(chain.getFilterChainMatch(), "{\"serverNames\":[\"shop.example.com\"]}");
    assertJson(chain.getTransportSocket(), """
        {"name":"envoy.transport_sockets.tls","typedConfig":{
          "@type":"type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext",
          "commonTlsContext":{
            "tlsParams":{"tlsMinimumProtocolVersion":"TLSv1_2"},
            "tlsCertificateSdsSecretConfigs":[{"name":"kubernetes://shop-cert","sdsConfig":{"ads":{},"resourceApiVersion":"V3"}}],
            "alpnProtocols":["h2","http/1.1"]}}}
        """);
    assertJson(fx.secret(INGRESS, "kubernetes://shop-cert"), """
        {"name":"kubernetes://shop-cert","tlsCertificate":{
          "certificateChain":{"inlineString":"-----BEGIN CERTIFICATE-----\\nMIIBcert\\n-----END CERTIFICATE-----\\n"},
          "privateKey":{"inlineString":"-----BEGIN PRIVATE KEY-----\\nMIIEkey\\n-----END PRIVATE KEY-----\\n"}}}
        """);
    assertThat(fx.route(INGRESS, "https.443.https.edge.istio-system").getVirtualHosts(0).getDomainsList())
        .containsExactly("shop.example.com", "shop.example.com:443", "shop.example.com:8443");
    assertThat(fx.last.problems()).isEmpty();
  }

  @Test
  void gatewayConnectionManagersTraceAtIstiosDefaultSampling() throws Exception {
    MeshFixture fx = shop("""
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: ["shop.example.com"]
        """);
    fx.translate();

    var hcm = fx.listener(INGRESS, "0.0.0.0_8080").getFilterChains(0).getFilters(0).getTypedConfig().unpack(
        io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.class);
    assertJson(hcm.getTracing(), "{\"randomSampling\":{\"value\":1.0}}");
  }

  @Test
  void mutualRequiresClientCertificatesFromTheCredentialsCa() {
    MeshFixture fx = shop("""
          - port: {number: 443, name: https, protocol: HTTPS}
            hosts: ["admin.example.com"]
            tls: {mode: MUTUAL, credentialName: admin-cert, subjectAltNames: ["spiffe://partner/ns/a/sa/b"]}
        """).file("secrets.yaml", secret("admin-cert", true));
    fx.translate();

    FilterChain chain = fx.listener(INGRESS, "0.0.0.0_8443").getFilterChains(0);
    assertJson(chain.getTransportSocket(), """
        {"name":"envoy.transport_sockets.tls","typedConfig":{
          "@type":"type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext",
          "commonTlsContext":{
            "tlsCertificateSdsSecretConfigs":[{"name":"kubernetes://admin-cert","sdsConfig":{"ads":{},"resourceApiVersion":"V3"}}],
            "combinedValidationContext":{
              "defaultValidationContext":{"matchTypedSubjectAltNames":[{"sanType":"URI","matcher":{"exact":"spiffe://partner/ns/a/sa/b"}}]},
              "validationContextSdsSecretConfig":{"name":"kubernetes://admin-cert-cacert","sdsConfig":{"ads":{},"resourceApiVersion":"V3"}}},
            "alpnProtocols":["h2","http/1.1"]},
          "requireClientCertificate":true}}
        """);
    assertJson(fx.secret(INGRESS, "kubernetes://admin-cert-cacert"), """
        {"name":"kubernetes://admin-cert-cacert","validationContext":{"trustedCa":{
          "inlineString":"-----BEGIN CERTIFICATE-----\\nMIIBca\\n-----END CERTIFICATE-----\\n"}}}
        """);
  }

  @Test
  void istioMutualUsesTheGatewaysSvidAndTheTrustBundle() {
    MeshFixture fx = shop("""
          - port: {number: 443, name: https, protocol: HTTPS}
            hosts: ["shop.example.com"]
            tls: {mode: ISTIO_MUTUAL}
        """).view(b -> b.gatewayCredential(INGRESS, new TlsCredential(CERT, KEY)));
    fx.translate();

    FilterChain chain = fx.listener(INGRESS, "0.0.0.0_8443").getFilterChains(0);
    assertJson(chain.getTransportSocket().getTypedConfig(), """
        {"@type":"type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext",
         "commonTlsContext":{
           "tlsCertificateSdsSecretConfigs":[{"name":"default","sdsConfig":{"ads":{},"resourceApiVersion":"V3"}}],
           "combinedValidationContext":{
             "defaultValidationContext":{"matchTypedSubjectAltNames":[{"sanType":"URI","matcher":{"prefix":"spiffe://cluster.local/"}}]},
             "validationContextSdsSecretConfig":{"name":"ROOTCA","sdsConfig":{"ads":{},"resourceApiVersion":"V3"}}},
           "alpnProtocols":["h2","http/1.1"]},
         "requireClientCertificate":true}
        """);
    assertThat(fx.names(INGRESS, XdsResourceType.SECRET)).containsExactly("ROOTCA", "default");
    assertThat(fx.secret(INGRESS, "default").getTlsCertificate().getPrivateKey().getInlineString()).isEqualTo(KEY);
  }

  @Test
  void passthroughForwardsBySniToTheTlsRoutesDestination() {
    MeshFixture fx = shop("""
          - port: {number: 443, name: tls, protocol: TLS}
            hosts: ["db.example.com"]
            tls: {mode: PASSTHROUGH}
        """).file("tls.yaml", """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: db, namespace: shop}
            spec:
              hosts: ["db.example.com"]
              gateways: ["istio-system/edge"]
              tls:
              - match: [{sniHosts: ["db.example.com"], port: 443}]
                route:
                - destination: {host: db, port: {number: 5432}}
            """);
    fx.translate();

    Listener listener = fx.listener(INGRESS, "0.0.0.0_8443");
    assertThat(listener.getListenerFilters(0).getName()).isEqualTo("envoy.filters.listener.tls_inspector");
    assertJson(listener.getFilterChains(0), """
        {"filterChainMatch":{"serverNames":["db.example.com"]},
         "filters":[{"name":"envoy.filters.network.tcp_proxy","typedConfig":{
           "@type":"type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy",
           "statPrefix":"outbound|5432||db.shop.svc.cluster.local","cluster":"outbound|5432||db.shop.svc.cluster.local"}}],
         "name":"shop/db/tls[0].match[0]"}
        """);
    assertThat(fx.cluster(INGRESS, "outbound|5432||db.shop.svc.cluster.local").getTypedExtensionProtocolOptionsMap())
        .as("opaque TCP port: no HTTP options").isEmpty();
  }

  @Test
  void tcpServerForwardsToTheTcpRoute() {
    MeshFixture fx = shop("""
          - port: {number: 5432, name: pg, protocol: TCP}
            hosts: ["*"]
        """).file("tcp.yaml", """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: db, namespace: shop}
            spec:
              hosts: ["*"]
              gateways: ["istio-system/edge"]
              tcp:
              - match: [{port: 5432}]
                route:
                - destination: {host: db}
            """);
    fx.translate();
    assertJson(fx.listener(INGRESS, "0.0.0.0_5432").getFilterChains(0).getFilters(0).getTypedConfig(), """
        {"@type":"type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy",
         "statPrefix":"outbound|5432||db.shop.svc.cluster.local","cluster":"outbound|5432||db.shop.svc.cluster.local"}
        """);
  }

  @Test
  void serversThatCannotBeServedAreReported() {
    MeshFixture fx = shop("""
          - port: {number: 443, name: https, protocol: HTTPS}
            hosts: ["shop.example.com"]
            tls: {mode: SIMPLE, credentialName: missing-cert}
          - port: {number: 443, name: https-again, protocol: HTTPS}
            hosts: ["shop.example.com"]
            tls: {mode: SIMPLE, credentialName: missing-cert}
          - port: {number: 15443, name: tls, protocol: TLS}
            hosts: ["*.local"]
            tls: {mode: AUTO_PASSTHROUGH}
        """).file("other-gateway.yaml", """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: lost, namespace: istio-system}
            spec:
              selector: {istio: nothing-has-this}
              servers:
              - port: {number: 80, name: http, protocol: HTTP}
                hosts: ["*"]
            """);
    fx.translate();

    assertThat(fx.last.problems()).extracting(p -> p.kind().code() + " " + p.object().map(Object::toString)
        .orElse("") + " " + p.field()).containsExactlyInAnyOrder(
            "missing-secret Secret istio-system/missing-cert ",
            "listener-conflict Gateway istio-system/edge spec.servers[1].hosts",
            "unsupported Gateway istio-system/edge spec.servers[2].tls.mode",
            "gateway-selects-nothing Gateway istio-system/lost spec.selector");
    // The first server still serves (its secret may come later: the gateway warms the chain meanwhile).
    assertThat(fx.listener(INGRESS, "0.0.0.0_8443").getFilterChainsCount()).isEqualTo(1);
    assertThat(fx.names(INGRESS, XdsResourceType.SECRET)).doesNotContain("kubernetes://missing-cert");
    TranslationProblem missing = fx.last.problems().stream().filter(p -> p.kind() == Kind.MISSING_SECRET)
        .findFirst().orElseThrow();
    assertThat(missing.fix()).contains("kubectl create secret tls missing-cert -n istio-system");
  }
}
