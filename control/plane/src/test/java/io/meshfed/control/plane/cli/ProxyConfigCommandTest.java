package io.meshfed.control.plane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.meshfed.control.client.runtime.AcceptedConfig;
import io.meshfed.control.client.runtime.GatewayIdentity;
import io.meshfed.control.client.runtime.GatewayRuntime;
import io.meshfed.control.client.runtime.RejectedUpdate;
import io.meshfed.control.client.runtime.XdsResource;
import io.meshfed.trust.Pem;
import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.Svid;
import io.meshfed.trust.TrustBundle;
import io.meshfed.trust.TrustDomain;
import io.meshfed.trust.ca.CaCertificates;
import io.meshfed.trust.ca.CertificateRequest;
import io.meshfed.trust.ca.IntermediateSigner;
import io.meshfed.trust.ca.KeyAlgorithm;
import io.meshfed.trust.ca.SvidRequest;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import picocli.CommandLine;

/** {@code meshfed proxy-config} against a running gateway admin (the gateway kit's {@code /config_dump}). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyConfigCommandTest {

  static final String CLUSTER = "outbound|9080|v1|reviews.default.svc.cluster.local";

  Vertx vertx;
  GatewayRuntime gateway;
  String admin;
  static final String GATEWAY_ID = "spiffe://cluster.local/ns/meshfed-system/sa/meshfed-ingressgateway";

  X509Certificate root;
  X509Certificate certificate;
  String keyPem;

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    // A real leaf with the gateway's SPIFFE id, as the CA issues it.
    KeyPair rootKey = KeyAlgorithm.EC_P256.generate();
    root = CaCertificates.selfSignedRoot(rootKey, TrustDomain.of("cluster.local"), "test", Duration.ofDays(1));
    SpiffeId identity = SpiffeId.parse(GATEWAY_ID);
    SvidRequest request = SvidRequest.create(identity, KeyAlgorithm.EC_P256);
    Svid svid = request.complete(IntermediateSigner.create(rootKey.getPrivate(), List.of(root),
            TrustBundle.builder(TrustDomain.of("cluster.local")).addRoot(root).build())
        .sign(CertificateRequest.parse(request.csrPem()), identity, Duration.ofHours(1)));
    certificate = svid.leaf();
    keyPem = svid.privateKeyPem();
    AcceptedConfig config = config();
    gateway = GatewayRuntime.builder(vertx, new GatewayIdentity("meshfed-ingressgateway", "meshfed-system", "east",
            "ingress")).bindHost("127.0.0.1").healthPort(0).metricsPort(0).adminPort(0).config(() -> config)
        .build().start().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    admin = "http://127.0.0.1:" + gateway.adminPort();
  }

  @AfterAll
  void stop() throws Exception {
    gateway.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private AcceptedConfig config() {
    Instant now = Instant.now();
    Listener listener = Listener.newBuilder().setName("0.0.0.0_15443")
        .setAddress(Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress("0.0.0.0")
            .setPortValue(15443)))
        .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder()
            .setName("envoy.filters.network.tcp_proxy")
            .setTypedConfig(Any.pack(TcpProxy.newBuilder().setStatPrefix("x").setCluster(CLUSTER).build()))))
        .build();
    Cluster cluster = Cluster.newBuilder().setName(CLUSTER).setType(Cluster.DiscoveryType.EDS).build();
    ClusterLoadAssignment endpoints = ClusterLoadAssignment.newBuilder().setClusterName(CLUSTER)
        .addEndpoints(LocalityLbEndpoints.newBuilder().setLocality(Locality.newBuilder().setRegion("us-east1")
                .setZone("us-east1-b")).setPriority(1)
            .addLbEndpoints(LbEndpoint.newBuilder().setHealthStatus(HealthStatus.DRAINING)
                .setEndpoint(Endpoint.newBuilder().setAddress(Address.newBuilder().setSocketAddress(
                    SocketAddress.newBuilder().setAddress("10.0.0.7").setPortValue(9080))))))
        .build();
    RouteConfiguration routes = RouteConfiguration.newBuilder().setName("http.8080")
        .addVirtualHosts(VirtualHost.newBuilder().setName("bookinfo.example.com:8080")
            .addDomains("bookinfo.example.com")
            .addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setRoute(RouteAction.newBuilder().setCluster(CLUSTER))))
        .build();
    Secret secret = Secret.newBuilder().setName("default").setTlsCertificate(TlsCertificate.newBuilder()
        .setCertificateChain(DataSource.newBuilder().setInlineBytes(ByteString.copyFromUtf8(
            Pem.encodeCertificates(List.of(certificate)))))
        .setPrivateKey(DataSource.newBuilder().setInlineBytes(ByteString.copyFromUtf8(keyPem))))
        .build();
    return new AcceptedConfig(List.of(
        new XdsResource(XdsResource.LISTENER_TYPE, listener.getName(), "v1", listener, now),
        new XdsResource(XdsResource.CLUSTER_TYPE, CLUSTER, "v1", cluster, now),
        new XdsResource(XdsResource.ENDPOINT_TYPE, CLUSTER, "v1", endpoints, now),
        new XdsResource(XdsResource.ROUTE_TYPE, routes.getName(), "v1", routes, now),
        new XdsResource(XdsResource.SECRET_TYPE, "default", "v1", secret, now),
        new XdsResource(XdsResource.SECRET_TYPE, "ROOTCA", "bootstrap", Secret.newBuilder().setName("ROOTCA")
            .setValidationContext(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext
                .newBuilder().setTrustedCa(DataSource.newBuilder().setInlineString(
                    Pem.encodeCertificates(List.of(root))))).build(), now)),
        List.of(new RejectedUpdate(XdsResource.CLUSTER_TYPE, CLUSTER, "v2",
            "cluster " + CLUSTER + ": lb_policy: MAGLEV (expected: ROUND_ROBIN)", now)));
  }

  private String run(String... args) {
    StringWriter out = new StringWriter();
    CommandLine line = new CommandLine(new ProxyConfigCommand());
    line.setOut(new PrintWriter(out, true));
    line.setErr(new PrintWriter(new StringWriter(), true));
    assertThat(line.execute(args)).as("exit code").isZero();
    return out.toString();
  }

  @Test
  void listenersRoutesClustersAndEndpointsPrintAsTables() {
    assertThat(run("gw", "listeners", "--admin", admin)).contains("NAME", "ADDRESS", "PORT")
        .contains("0.0.0.0_15443").contains("15443").contains("tcp_proxy");
    assertThat(run("gw", "routes", "--admin", admin)).contains("http.8080").contains("bookinfo.example.com:8080")
        .contains("bookinfo.example.com");
    String clusters = run("gw", "clusters", "--admin", admin);
    assertThat(clusters).contains("SERVICE FQDN").contains("reviews.default.svc.cluster.local").contains("9080")
        .contains("v1").contains("OUTBOUND").contains("NACKED").contains("lb_policy: MAGLEV");
    assertThat(run("gw", "endpoints", "--admin", admin)).contains("10.0.0.7:9080").contains("DRAINING")
        .contains("us-east1/us-east1-b").contains(CLUSTER);
  }

  @Test
  void secretsShowTheCertificateAndNeverTheKey() {
    String table = run("gw", "secrets", "--admin", admin);
    assertThat(table).contains("default").contains("Cert Chain")
        .contains(certificate.getSerialNumber().toString(16));
    String defaultRow = table.lines().filter(line -> line.startsWith("default")).findFirst().orElseThrow();
    assertThat(defaultRow).as("as istioctl proxy-config secret shows it, plus the SPIFFE id")
        .contains("ACTIVE").contains("true").contains(certificate.getNotAfter().toInstant().toString())
        .endsWith(GATEWAY_ID);
    String rootRow = table.lines().filter(line -> line.startsWith("ROOTCA")).findFirst().orElseThrow();
    assertThat(rootRow).contains("CA").contains("ACTIVE").contains(root.getSerialNumber().toString(16));
    String json = run("gw", "secrets", "--admin", admin, "-o", "json");
    assertThat(json).contains("certificate_chain").doesNotContain("private_key");
    for (String out : List.of(table, json)) {
      assertThat(out).doesNotContain(keyPem.lines().skip(1).findFirst().orElseThrow());
    }
  }

  @Test
  void anUnknownKindIsAUsageError() {
    CommandLine line = new CommandLine(new ProxyConfigCommand());
    StringWriter err = new StringWriter();
    line.setErr(new PrintWriter(err, true));
    assertThat(line.execute("gw", "widgets", "--admin", admin)).isEqualTo(2);
    assertThat(err.toString()).contains("widgets (expected: listeners, routes, clusters, endpoints or secrets)");
  }
}
