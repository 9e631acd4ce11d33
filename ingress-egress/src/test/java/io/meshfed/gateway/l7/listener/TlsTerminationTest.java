package io.meshfed.gateway.l7.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.meshfed.gateway.l7.EngineTestBase;
import io.meshfed.gateway.l7.config.XdsResources;
import io.meshfed.gateway.l7.testing.Await;
import io.meshfed.gateway.l7.testing.Backend;
import io.meshfed.gateway.l7.testing.TestPki;
import io.meshfed.gateway.l7.testing.Xds;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.buffer.Buffer;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TLS termination from SDS secrets: certificate chosen by SNI among filter chains (Gateway servers with
 * credentialName), MUTUAL client certificates, rotation without dropping established connections, ALPN to HTTP/2.
 */
class TlsTerminationTest extends EngineTestBase {

  private TestPki pki;
  private TestPki clientPki;
  private Backend backend;

  @BeforeEach
  void setUp() throws Exception {
    pki = new TestPki("gateway-ca");
    clientPki = new TestPki("client-ca");
    backend = backend("b");
  }

  private XdsResources resources(TestPki.Leaf bookinfo, TestPki.Leaf shop) throws Exception {
    var hcm = Xds.hcm("https.443").build();
    Listener listener = Listener.newBuilder().setName("0.0.0.0_8443").setAddress(Xds.address("127.0.0.1", 0))
        .addListenerFilters(ListenerFilter.newBuilder().setName("envoy.filters.listener.tls_inspector"))
        .addFilterChains(Xds.tlsChain(hcm, "kubernetes://bookinfo-cert", List.of("bookinfo.com"), null))
        .addFilterChains(Xds.tlsChain(hcm, "kubernetes://shop-cert", List.of("*.shop.com"),
            "kubernetes://shop-cert-cacert"))
        .build();
    return XdsResources.builder().listener(listener)
        .route(Xds.catchAll("https.443", "c"))
        .cluster(Xds.staticCluster("c", "127.0.0.1", backend.port()))
        .secret(Xds.tlsSecret("kubernetes://bookinfo-cert", bookinfo.chainPem(), bookinfo.keyPem()))
        .secret(Xds.tlsSecret("kubernetes://shop-cert", shop.chainPem(), shop.keyPem()))
        .secret(Xds.caSecret("kubernetes://shop-cert-cacert", clientPki.caPem()))
        .build();
  }

  private HttpClient client(HttpClientOptions extra) throws Exception {
    HttpClientOptions options = new HttpClientOptions(extra).setSsl(true).setForceSni(true)
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(pki.caPem())));
    return vertx.createHttpClient(options);
  }

  private record Result(int status, X509Certificate server, HttpVersion version, String body) {
  }

  private Result get(HttpClient client, String host) throws Exception {
    int port = port("0.0.0.0_8443");
    return Await.result(client.request(new RequestOptions().setMethod(HttpMethod.GET)
            .setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1")).setHost(host).setPort(port).setURI("/"))
        .compose(request -> request.send().compose(response -> response.body().map(body -> new Result(
            response.statusCode(), peer(request), response.version(), body.toString())))));
  }

  private static X509Certificate peer(io.vertx.core.http.HttpClientRequest request) {
    try {
      return (X509Certificate) request.connection().peerCertificates().get(0);
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void selectsTheCertificateBySni() throws Exception {
    TestPki.Leaf bookinfo = pki.leaf("bookinfo", List.of("bookinfo.com"), List.of());
    TestPki.Leaf shop = pki.leaf("shop", List.of("*.shop.com"), List.of());
    apply(resources(bookinfo, shop));
    HttpClient client = client(new HttpClientOptions());

    Result result = get(client, "bookinfo.com");

    assertThat(result.status()).isEqualTo(200);
    assertThat(result.server()).isEqualTo(bookinfo.certificate());
    assertThat(outcomes.nth(1).requestedServerName()).isEqualTo("bookinfo.com");
  }

  @Test
  void requiresAClientCertificateForMutualChains() throws Exception {
    TestPki.Leaf bookinfo = pki.leaf("bookinfo", List.of("bookinfo.com"), List.of());
    TestPki.Leaf shop = pki.leaf("shop", List.of("*.shop.com"), List.of());
    apply(resources(bookinfo, shop));

    assertThatThrownBy(() -> get(client(new HttpClientOptions()), "www.shop.com"))
        .as("no client certificate: the handshake fails").isNotNull();

    TestPki.Leaf user = clientPki.leaf("user", List.of(), List.of("spiffe://example.org/ns/shop/sa/buyer"));
    HttpClient withCert = client(new HttpClientOptions().setKeyCertOptions(new PemKeyCertOptions()
        .addCertValue(Buffer.buffer(user.chainPem())).addKeyValue(Buffer.buffer(user.keyPem()))));
    Result result = get(withCert, "www.shop.com");
    assertThat(result.status()).isEqualTo(200);
    assertThat(result.server()).isEqualTo(shop.certificate());
    assertThat(outcomes.nth(1).downstreamPeerPrincipal()).isEqualTo("spiffe://example.org/ns/shop/sa/buyer");
  }

  @Test
  void rotatesCertificatesWithoutDroppingEstablishedConnections() throws Exception {
    TestPki.Leaf before = pki.leaf("before", List.of("bookinfo.com"), List.of());
    TestPki.Leaf shop = pki.leaf("shop", List.of("*.shop.com"), List.of());
    apply(resources(before, shop));
    HttpClient kept = client(new HttpClientOptions().setKeepAlive(true));
    assertThat(get(kept, "bookinfo.com").server()).isEqualTo(before.certificate());

    TestPki.Leaf after = pki.leaf("after", List.of("bookinfo.com"), List.of());
    apply(resources(after, shop));

    Result onKept = get(kept, "bookinfo.com");
    assertThat(onKept.status()).isEqualTo(200);
    assertThat(onKept.server()).as("the established connection keeps its handshake").isEqualTo(before.certificate());
    assertThat(get(client(new HttpClientOptions()), "bookinfo.com").server())
        .as("new connections get the rotated certificate").isEqualTo(after.certificate());
  }

  @Test
  void negotiatesHttp2ByAlpn() throws Exception {
    TestPki.Leaf bookinfo = pki.leaf("bookinfo", List.of("bookinfo.com"), List.of());
    apply(resources(bookinfo, pki.leaf("shop", List.of("*.shop.com"), List.of())));
    HttpClient h2 = client(new HttpClientOptions().setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2));

    Result result = get(h2, "bookinfo.com");

    assertThat(result.version()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(result.status()).isEqualTo(200);
    assertThat(outcomes.nth(1).protocol()).isEqualTo("HTTP/2");
  }

  @Test
  void closesConnectionsWhoseSniMatchesNoChain() throws Exception {
    apply(resources(pki.leaf("bookinfo", List.of("bookinfo.com"), List.of()),
        pki.leaf("shop", List.of("*.shop.com"), List.of())));

    assertThatThrownBy(() -> get(client(new HttpClientOptions().setVerifyHost(false)), "unknown.org")).isNotNull();
    assertThat(backend.hits()).isZero();
  }
}
