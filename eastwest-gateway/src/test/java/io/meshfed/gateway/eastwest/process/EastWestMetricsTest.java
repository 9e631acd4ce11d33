package io.meshfed.gateway.eastwest.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.control.client.metrics.IstioMetrics;
import io.meshfed.control.client.metrics.Workload;
import io.meshfed.gateway.eastwest.ApplyResult;
import io.meshfed.gateway.eastwest.ConnectionRecord;
import io.meshfed.gateway.eastwest.EastWestGateway;
import io.meshfed.gateway.eastwest.Mode;
import io.meshfed.gateway.eastwest.RequestRecord;
import io.meshfed.gateway.eastwest.ResponseFlag;
import io.meshfed.gateway.eastwest.XdsResources;
import io.meshfed.gateway.eastwest.fixtures.Await;
import io.meshfed.gateway.eastwest.fixtures.HttpBackend;
import io.meshfed.gateway.eastwest.fixtures.HttpTestClient;
import io.meshfed.gateway.eastwest.fixtures.RecordingObserver;
import io.meshfed.gateway.eastwest.fixtures.TestClient;
import io.meshfed.gateway.eastwest.fixtures.TestNet;
import io.meshfed.gateway.eastwest.fixtures.TestPki;
import io.meshfed.gateway.eastwest.fixtures.Xds;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http.HttpMethod;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The east-west gateway's records as Istio's metrics, and the x-request-id of the hop before carried through
 * (real engine on loopback: terminate mode on an HTTP and a TCP port).
 */
class EastWestMetricsTest {

  static final Duration WAIT = Duration.ofSeconds(5);
  static final String TCP_SNI = "outbound_.9000_._.echo.default.svc.cluster.local";
  static final String HTTP_SNI = "outbound_.9080_._.web.default.svc.cluster.local";
  static final String EAST_INGRESS = "spiffe://cluster.local/ns/meshfed-system/sa/meshfed-ingressgateway";
  static final String SELF = "spiffe://cluster.local/ns/meshfed-system/sa/meshfed-eastwestgateway";
  static final Workload GATEWAY = Workload.builder().name("meshfed-eastwestgateway").namespace("meshfed-system")
      .principal(SELF).cluster("west").build();

  private final TestPki mesh = TestPki.create("mesh");
  private final TestNet net = new TestNet();
  private final RecordingObserver observer = new RecordingObserver();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private TestNet.EchoServer echo;
  private HttpBackend web;
  private EastWestGateway gateway;
  private InetSocketAddress address;

  @BeforeEach
  void start() {
    echo = net.echo("127.0.2.31", "echo:");
    web = new HttpBackend(net.group(), "127.0.2.32", "web", null);
    // Metrics first: once the recording observer has a record, the metrics have it too.
    gateway = EastWestGateway.builder().eventLoops(1)
        .observer(new ObserverFanOut(List.of(new EastWestMetrics(new IstioMetrics(registry), GATEWAY), observer)))
        .bind("0.0.0.0_15443", new InetSocketAddress("127.0.2.1", 0)).build();
    List<String> domains = List.of("cluster.local");
    XdsResources resources = new XdsResources("1",
        List.of(Xds.listener(15443,
            Xds.terminate(TCP_SNI, domains, List.of(), Xds.tcpProxy(TCP_SNI)),
            Xds.terminate(HTTP_SNI, domains, List.of(), Xds.httpConnectionManager("inbound.9080")))),
        List.of(Xds.routes("inbound.9080", Map.of(List.of("*"), HTTP_SNI))),
        List.of(Xds.eds(TCP_SNI), Xds.eds(HTTP_SNI)),
        List.of(Xds.endpoints(TCP_SNI, echo.address()), Xds.endpoints(HTTP_SNI, web.address())),
        List.of(Xds.certificate("default", mesh.issue(SELF)), Xds.roots("ROOTCA", mesh)));
    ApplyResult result = Await.get(gateway.apply(resources));
    assertThat(result.accepted()).as(result.errorDetail()).isTrue();
    address = gateway.boundAddress("0.0.0.0_15443").orElseThrow();
  }

  @AfterEach
  void stop() {
    gateway.close();
    echo.close();
    web.close();
    net.close();
  }

  private HttpTestClient http() {
    return HttpTestClient.connect(net.group(), address,
        TestNet.clientContext(mesh.issue(EAST_INGRESS), mesh, List.of("istio-http/1.1", "http/1.1")), HTTP_SNI,
        false);
  }

  private static List<String> tags(Meter meter) {
    return meter.getId().getTags().stream().map(tag -> tag.getKey() + "=" + tag.getValue()).toList();
  }

  @Test
  void terminatedRequestsReportAsTheDestinationWithTheVerifiedCaller() {
    try (HttpTestClient client = http()) {
      assertThat(client.get("web.default.svc.cluster.local:9080", "/a").status()).isEqualTo(200);
      assertThat(client.get("web.default.svc.cluster.local:9080", "/status/503").status()).isEqualTo(503);
    }
    observer.request(r -> r.status() == 503, WAIT);

    Counter ok = registry.get(IstioMetrics.REQUESTS_TOTAL).tag("response_code", "200").counter();
    assertThat(ok.count()).isEqualTo(1.0);
    assertThat(tags(ok)).contains("reporter=destination", "source_principal=" + EAST_INGRESS,
        "source_workload_namespace=meshfed-system", "destination_principal=" + SELF,
        "destination_service=web.default.svc.cluster.local", "destination_service_name=web",
        "destination_cluster=west", "connection_security_policy=mutual_tls", "request_protocol=http",
        "response_flags=-");
    assertThat(registry.get(IstioMetrics.REQUESTS_TOTAL).tag("response_code", "503").counter().count())
        .as("an upstream 503 is the app's answer: counted, no flag").isEqualTo(1.0);
    assertThat(registry.get(IstioMetrics.REQUEST_DURATION).tag("response_code", "200").summary().count())
        .isEqualTo(1);
  }

  @Test
  void theCallersRequestIdReachesTheWorkloadAndThisHopsRecord() {
    try (HttpTestClient client = http()) {
      assertThat(client.send(HttpMethod.GET, "web", "/traced", "", Map.of("x-request-id", "east-id-42")).status())
          .isEqualTo(200);
      assertThat(client.get("web", "/untraced").status()).isEqualTo(200);
    }
    assertThat(observer.request(r -> r.path().equals("/traced"), WAIT).requestId()).isEqualTo("east-id-42");
    RequestRecord untraced = observer.request(r -> r.path().equals("/untraced"), WAIT);
    assertThat(untraced.requestId()).as("generated when the caller sent none")
        .matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    assertThat(web.seenHeaders).anySatisfy(headers -> assertThat(headers).contains("x-request-id: east-id-42"));
    assertThat(web.seenHeaders).anySatisfy(headers ->
        assertThat(headers).contains("x-request-id: " + untraced.requestId()));
  }

  @Test
  void terminatedTcpConnectionsCountWhenTheyClose() {
    try (TestClient client = net.istio(address, TCP_SNI, List.of("istio-peer-exchange", "istio"),
        mesh.issue(EAST_INGRESS), mesh)) {
      assertThat(client.handshakeSucceeds(WAIT)).isTrue();
      assertThat(client.roundTrip("hello", "echo:".length(), WAIT)).isEqualTo("echo:hello");
    }
    observer.connection(r -> r.mode() == Mode.TERMINATE_TCP, WAIT);

    Counter opened = registry.get(IstioMetrics.TCP_CONNECTIONS_OPENED).counter();
    assertThat(opened.count()).isEqualTo(1.0);
    assertThat(tags(opened)).contains("reporter=destination", "source_principal=" + EAST_INGRESS,
        "destination_service=echo.default.svc.cluster.local", "request_protocol=tcp",
        "connection_security_policy=mutual_tls");
    assertThat(registry.get(IstioMetrics.TCP_CONNECTIONS_CLOSED).counter().count()).isEqualTo(1.0);
    assertThat(registry.get(IstioMetrics.TCP_RECEIVED_BYTES).counter().count()).as("bytes from the caller")
        .isEqualTo("hello".length());
    assertThat(registry.get(IstioMetrics.TCP_SENT_BYTES).counter().count()).as("bytes to the caller")
        .isEqualTo("echo:hello".length());
  }

  @Test
  void passthroughReportsAsASourceGatewayAndRefusedConnectionsAreNotTraffic() {
    EastWestMetrics metrics = new EastWestMetrics(new IstioMetrics(registry), GATEWAY);
    ConnectionRecord.Upstream reviews = new ConnectionRecord.Upstream("reviews-v1", "default", "reviews", "v1",
        "west", "net-west");
    metrics.closed(record(Mode.PASSTHROUGH, "outbound_.9080_._.reviews.default.svc.cluster.local", reviews,
        Set.of(), null));
    metrics.closed(record(Mode.PASSTHROUGH, "outbound_.9080_._.reviews.default.svc.cluster.local", reviews,
        Set.of(ResponseFlag.UF), null));
    metrics.closed(record(Mode.PASSTHROUGH, "", ConnectionRecord.Upstream.UNKNOWN, Set.of(),
        io.meshfed.gateway.eastwest.RejectReason.UNKNOWN_SNI));

    assertThat(registry.get(IstioMetrics.TCP_CONNECTIONS_CLOSED).counters()).hasSize(2);
    Counter failed = registry.get(IstioMetrics.TCP_CONNECTIONS_CLOSED).tag("response_flags", "UF").counter();
    assertThat(failed.count()).isEqualTo(1.0);
    assertThat(tags(failed)).contains("reporter=source", "source_workload=meshfed-eastwestgateway",
        "source_principal=" + SELF, "destination_workload=reviews-v1", "destination_version=v1",
        "destination_service=reviews.default.svc.cluster.local", "connection_security_policy=unknown");
    assertThat(registry.get(IstioMetrics.TCP_CONNECTIONS_OPENED).counter().count())
        .as("refused before routing: not counted").isEqualTo(2.0);
  }

  private static ConnectionRecord record(Mode mode, String cluster, ConnectionRecord.Upstream upstream,
      Set<ResponseFlag> flags, io.meshfed.gateway.eastwest.RejectReason reject) {
    return new ConnectionRecord("0.0.0.0_15443", "chain", mode, new InetSocketAddress("127.0.1.9", 40000),
        new InetSocketAddress("127.0.2.1", 15443), "outbound_.9080_._.reviews.default.svc.cluster.local", "istio",
        "", cluster, null, upstream, Instant.now(), Duration.ofMillis(3), 10, 20, flags, reject, "");
  }
}
