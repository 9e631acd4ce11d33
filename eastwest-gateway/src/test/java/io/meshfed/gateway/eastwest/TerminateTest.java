package io.meshfed.gateway.eastwest;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.meshfed.gateway.eastwest.fixtures.Await;
import io.meshfed.gateway.eastwest.fixtures.HttpBackend;
import io.meshfed.gateway.eastwest.fixtures.HttpTestClient;
import io.meshfed.gateway.eastwest.fixtures.RecordingObserver;
import io.meshfed.gateway.eastwest.fixtures.TestClient;
import io.meshfed.gateway.eastwest.fixtures.TestNet;
import io.meshfed.gateway.eastwest.fixtures.TestPki;
import io.meshfed.gateway.eastwest.fixtures.Xds;
import io.netty.handler.codec.http.HttpMethod;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * :15443 in terminate mode with real mTLS clients: the gateway verifies the client chain against ROOTCA and the
 * accepted trust domain, applies the network RBAC filters, and forwards at L4 (plaintext or originating Istio mTLS)
 * or per HTTP request. Each refusal is counted under its own reason.
 */
class TerminateTest {

  static final Duration WAIT = Duration.ofSeconds(5);
  static final String TCP_SNI = "outbound_.9000_._.echo.default.svc.cluster.local";
  static final String HTTP_SNI = "outbound_.9080_._.web.default.svc.cluster.local";
  static final String MTLS_SNI = "outbound_.9000_._.secure.default.svc.cluster.local";
  static final String DENY_SNI = "outbound_.9000_._.guarded.default.svc.cluster.local";
  static final String UPSTREAM_SNI = "outbound_.9000_._.secure-pod.default.svc.cluster.local";
  static final String PRODUCTPAGE = "spiffe://cluster.local/ns/default/sa/productpage";
  static final List<String> CLIENT_ALPN = List.of("istio-peer-exchange", "istio");

  private final TestPki mesh = TestPki.create("mesh");
  private final TestPki foreign = TestPki.create("foreign");
  private final TestNet net = new TestNet();
  private final RecordingObserver observer = new RecordingObserver();
  private TestNet.EchoServer echo;
  private TestNet.EchoServer secureEcho;
  private HttpBackend web;
  private EastWestGateway gateway;
  private InetSocketAddress address;
  private XdsResources resources;

  @BeforeEach
  void start() {
    echo = net.echo("127.0.2.21", "echo:");
    secureEcho = net.tlsEcho("127.0.2.22", mesh.issue("spiffe://cluster.local/ns/default/sa/secure"), mesh,
        List.of("istio"), "secure:");
    web = new HttpBackend(net.group(), "127.0.2.23", "web", null);
    gateway = EastWestGateway.builder().eventLoops(1).observer(observer)
        .bind("0.0.0.0_15443", new InetSocketAddress("127.0.2.1", 0)).build();
    List<String> domains = List.of("cluster.local");
    var allowProductpage = Xds.rbac(RBAC.Action.ALLOW, "ns[default]-policy[echo]-rule[0]", List.of(PRODUCTPAGE));
    var denyBlocked = Xds.rbac(RBAC.Action.DENY, "ns[default]-policy[no-blocked]-rule[0]",
        Principal.newBuilder().setAuthenticated(Principal.Authenticated.newBuilder().setPrincipalName(
            StringMatcher.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex(".*/ns/blocked/.*")))).build());
    resources = new XdsResources("1",
        List.of(Xds.listener(15443,
            Xds.terminate(TCP_SNI, domains, List.of(allowProductpage), Xds.tcpProxy("echo")),
            Xds.terminate(HTTP_SNI, domains, List.of(), Xds.httpConnectionManager("inbound.9080")),
            Xds.terminate(MTLS_SNI, domains, List.of(), Xds.tcpProxy("secure")),
            Xds.terminate(DENY_SNI, domains, List.of(denyBlocked), Xds.tcpProxy("echo")))),
        List.of(Xds.routes("inbound.9080", Map.of(List.of("*"), "web"))),
        List.of(Xds.eds("echo"), Xds.eds("web"), Xds.edsWithIstioTls("secure", UPSTREAM_SNI, domains)),
        List.of(Xds.endpoints("echo", echo.address()), Xds.endpoints("web", web.address()),
            io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment.newBuilder().setClusterName("secure")
                .addEndpoints(io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints.newBuilder()
                    .addLbEndpoints(Xds.endpoint(secureEcho.address(), true))).build()),
        List.of(Xds.certificate("default", mesh.issue("spiffe://cluster.local/ns/istio-system/sa/eastwest")),
            Xds.roots("ROOTCA", mesh)));
    ApplyResult result = Await.get(gateway.apply(resources));
    assertThat(result.accepted()).as(result.errorDetail()).isTrue();
    address = gateway.boundAddress("0.0.0.0_15443").orElseThrow();
  }

  @AfterEach
  void stop() {
    gateway.close();
    echo.close();
    secureEcho.close();
    web.close();
    net.close();
  }

  private TestClient client(String sni, TestPki.Svid svid) {
    return net.istio(address, sni, CLIENT_ALPN, svid, mesh);
  }

  private void assertRejected(TestClient client, RejectReason reason) {
    // TLS 1.3: the client may finish its side before the server judges its certificate; either way no data flows.
    if (client.handshakeSucceeds(WAIT)) {
      client.channel().writeAndFlush(io.netty.buffer.Unpooled.wrappedBuffer("x".getBytes()));
    }
    assertThat(client.closedWithin(WAIT)).isTrue();
    assertThat(Await.until(WAIT, () -> gateway.stats().rejected(reason) == 1))
        .as("rejected %s: %s", reason, observer.connections).isTrue();
    assertThat(echo.connections).hasValue(0);
  }

  @Test
  void authorizedPeerIsForwardedToAPlaintextBackend() {
    try (TestClient client = client(TCP_SNI, mesh.issue(PRODUCTPAGE))) {
      assertThat(client.handshakeSucceeds(WAIT)).isTrue();
      // Terminate mode does not negotiate Istio's metadata exchange (the gateway does not speak it).
      assertThat(client.alpn()).isEqualTo("istio");
      assertThat(client.roundTrip("hello", "echo:".length(), WAIT)).isEqualTo("echo:hello");
    }
    ConnectionRecord record = observer.connection(r -> r.mode() == Mode.TERMINATE_TCP, WAIT);
    assertThat(record.sourcePrincipal()).isEqualTo(PRODUCTPAGE);
    assertThat(record.upstreamHost()).isEqualTo(echo.address());
    assertThat(record.rejectReason()).isNull();
  }

  @Test
  void clientWithoutCertificateIsRejected() {
    assertRejected(client(TCP_SNI, null), RejectReason.NO_CLIENT_CERT);
  }

  @Test
  void clientFromAForeignRootIsRejected() {
    assertRejected(client(TCP_SNI, foreign.issue(PRODUCTPAGE)), RejectReason.UNTRUSTED_CHAIN);
  }

  @Test
  void clientFromAnotherTrustDomainIsRejected() {
    assertRejected(client(TCP_SNI, mesh.issue("spiffe://other.domain/ns/default/sa/productpage")),
        RejectReason.TRUST_DOMAIN_MISMATCH);
  }

  @Test
  void unauthorizedPrincipalIsRejected() {
    assertRejected(client(TCP_SNI, mesh.issue("spiffe://cluster.local/ns/default/sa/ratings")),
        RejectReason.RBAC_DENIED);
    ConnectionRecord record = observer.connection(r -> r.rejectReason() == RejectReason.RBAC_DENIED, WAIT);
    assertThat(record.details()).isEqualTo("rbac_access_denied_matched_policy[none]");
    assertThat(record.sourcePrincipal()).isEqualTo("spiffe://cluster.local/ns/default/sa/ratings");
  }

  @Test
  void denyPolicyRefusesItsNamespaceAndAdmitsOthers() {
    try (TestClient client = client(DENY_SNI, mesh.issue("spiffe://cluster.local/ns/other/sa/any"))) {
      assertThat(client.handshakeSucceeds(WAIT)).isTrue();
      assertThat(client.roundTrip("ok", "echo:".length(), WAIT)).isEqualTo("echo:ok");
    }
    assertRejectedDeny();
  }

  private void assertRejectedDeny() {
    TestClient blocked = client(DENY_SNI, mesh.issue("spiffe://cluster.local/ns/blocked/sa/any"));
    blocked.handshakeSucceeds(WAIT);
    assertThat(blocked.closedWithin(WAIT)).isTrue();
    ConnectionRecord record = observer.connection(r -> r.rejectReason() == RejectReason.RBAC_DENIED, WAIT);
    assertThat(record.details()).isEqualTo("rbac_access_denied_matched_policy[ns[default]-policy[no-blocked]-rule[0]]");
  }

  @Test
  void upstreamMutualTlsCarriesTheClustersSniAndTheGatewaysIdentity() {
    try (TestClient client = client(MTLS_SNI, mesh.issue(PRODUCTPAGE))) {
      assertThat(client.handshakeSucceeds(WAIT)).isTrue();
      assertThat(client.roundTrip("hi", "secure:".length(), WAIT)).isEqualTo("secure:hi");
    }
    assertThat(secureEcho.serverNames).containsExactly(UPSTREAM_SNI);
    assertThat(secureEcho.peers).containsExactly("spiffe://cluster.local/ns/istio-system/sa/eastwest");
    assertThat(secureEcho.protocols).containsExactly("istio");
  }

  @Test
  void rotatedCertificateServesNewConnectionsWithoutDroppingEstablishedOnes() throws Exception {
    try (TestClient established = client(TCP_SNI, mesh.issue(PRODUCTPAGE))) {
      assertThat(established.handshakeSucceeds(WAIT)).isTrue();
      assertThat(established.roundTrip("before", "echo:".length(), WAIT)).isEqualTo("echo:before");
      String rotated = "spiffe://cluster.local/ns/istio-system/sa/eastwest-rotated";
      ApplyResult result = Await.get(gateway.apply(resources.with("2", ResourceType.SECRET,
          List.of(Xds.certificate("default", mesh.issue(rotated)), Xds.roots("ROOTCA", mesh)))));
      assertThat(result.accepted()).as(result.errorDetail()).isTrue();
      assertThat(established.roundTrip("after", 0, WAIT)).isEqualTo("after");
      try (TestClient fresh = client(TCP_SNI, mesh.issue(PRODUCTPAGE))) {
        assertThat(fresh.handshakeSucceeds(WAIT)).isTrue();
        var presented = fresh.channel().pipeline().get(io.netty.handler.ssl.SslHandler.class).engine().getSession()
            .getPeerCertificates()[0];
        assertThat(io.meshfed.gateway.eastwest.tls.PeerIdentity.of((java.security.cert.X509Certificate) presented)
            .principal()).isEqualTo(rotated);
      }
    }
  }

  @Test
  void httpPortIsForwardedPerRequestOverHttp1() {
    try (HttpTestClient client = HttpTestClient.connect(net.group(), address,
        TestNet.clientContext(mesh.issue(PRODUCTPAGE), mesh, List.of("istio-http/1.1", "http/1.1")), HTTP_SNI,
        false)) {
      for (int i = 0; i < 3; i++) {
        HttpTestClient.Response response = client.get("web.default.svc.cluster.local:9080", "/items/" + i);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).startsWith("web GET /items/" + i + " host=web.default.svc.cluster.local:9080"
            + " xfp=https");
      }
      assertThat(client.get("web", "/status/503").status()).isEqualTo(503);
      HttpTestClient.Response posted = client.send(HttpMethod.POST, "web", "/form",
          "a=1&b=2", Map.of("expect", "100-continue"));
      assertThat(posted.status()).isEqualTo(200);
      assertThat(posted.body()).startsWith("web POST /form").endsWith("body=a=1&b=2");
    }
    assertThat(web.connections).hasValue(1);
    RequestRecord record = observer.request(r -> r.path().equals("/items/2"), WAIT);
    assertThat(record.status()).isEqualTo(200);
    assertThat(record.protocol()).isEqualTo("HTTP/1.1");
    assertThat(record.sourcePrincipal()).isEqualTo(PRODUCTPAGE);
    assertThat(record.destinationCluster()).isEqualTo("web");
    assertThat(record.responseFlags()).isEmpty();
    assertThat(observer.request(r -> r.status() == 503, WAIT)).isNotNull();
    // The exchange is counted as it finishes, which can be just after the client read the response: the last one's
    // record says it has been.
    assertThat(observer.request(r -> r.path().equals("/form"), WAIT)).isNotNull();
    assertThat(gateway.stats().requests()).isEqualTo(5);
  }

  @Test
  void httpPortClosesAfterAResponseAnnouncingCloseOverTls() {
    try (HttpTestClient client = HttpTestClient.connect(net.group(), address,
        TestNet.clientContext(mesh.issue(PRODUCTPAGE), mesh, List.of("istio-http/1.1", "http/1.1")), HTTP_SNI,
        false)) {
      HttpTestClient.Response response = client.send(HttpMethod.GET, "web", "/last", null,
          Map.of("connection", "close"));
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.headers().get("connection")).isEqualTo("close");
      // close_notify and the write side shut follow the response at once, and this client closes on them: well within
      // the 1 s after which the gateway would close the socket itself, which would pass a looser bound without either.
      assertThat(client.closedWithin(Duration.ofMillis(700))).isTrue();
    }
    ConnectionRecord record = observer.connection(r -> r.mode() == Mode.TERMINATE_HTTP, WAIT);
    assertThat(record).isNotNull();
    assertThat(record.rejectReason()).isNull();
  }

  @Test
  void httpPortIsForwardedPerRequestOverHttp2() {
    try (HttpTestClient client = HttpTestClient.connect(net.group(), address,
        TestNet.clientContext(mesh.issue(PRODUCTPAGE), mesh, List.of("istio-h2", "h2")), HTTP_SNI, true)) {
      for (int i = 0; i < 3; i++) {
        HttpTestClient.Response response = client.get("web.default.svc.cluster.local", "/h2/" + i);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).startsWith("web GET /h2/" + i);
      }
    }
    RequestRecord record = observer.request(r -> r.path().equals("/h2/2"), WAIT);
    assertThat(record.protocol()).isEqualTo("HTTP/2");
    assertThat(record.status()).isEqualTo(200);
  }
}
