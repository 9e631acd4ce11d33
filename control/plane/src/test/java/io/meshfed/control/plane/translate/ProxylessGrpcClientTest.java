package io.meshfed.control.plane.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.xds.XdsNameResolverProvider;
import io.meshfed.control.plane.xds.DebounceOptions;
import io.meshfed.control.plane.xds.XdsServer;
import io.meshfed.federation.catalog.Endpoint;
import io.meshfed.federation.catalog.EndpointHealth;
import io.meshfed.federation.catalog.Locality;
import io.meshfed.federation.catalog.Reach;
import io.meshfed.federation.catalog.ServicePort;
import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 5's external client against translated config: grpc-java's proxyless xDS client, announcing itself as an
 * ingress-role client, connects to meshfed's ADS server; the translator gives its group the ingress routes behind
 * API listeners (docs/translation.md, "Proxyless gRPC"). {@code xds:///echo.example.com} resolves through the
 * Gateway + VirtualService (80 % subset v1, 20 % subset v2) to endpoints of two clusters: v1 pods in this cluster
 * (127.0.1.x), v2 pods exported by the west cluster (127.0.2.x, same network).
 */
class ProxylessGrpcClientTest {

  private static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };
  private static final MethodDescriptor<String, String> WHO = MethodDescriptor.<String, String>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("meshfed.test.Echo/Who")
      .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();

  private final Vertx vertx = Vertx.vertx();
  private final List<Server> backends = new ArrayList<>();
  private XdsServer server;
  private ManagedChannel channel;

  @AfterEach
  void close() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    for (Server s : backends) {
      s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private InetSocketAddress backend(String ip) throws IOException {
    ServerServiceDefinition service = ServerServiceDefinition.builder("meshfed.test.Echo")
        .addMethod(WHO, ServerCalls.asyncUnaryCall((request, response) -> {
          response.onNext(ip);
          response.onCompleted();
        })).build();
    Server s = NettyServerBuilder.forAddress(new InetSocketAddress(ip, 0)).addService(service).build().start();
    backends.add(s);
    return new InetSocketAddress(ip, s.getPort());
  }

  private static Map<String, ?> bootstrap(int port) {
    return Map.of(
        "xds_servers", List.of(Map.of("server_uri", "127.0.0.1:" + port,
            "channel_creds", List.of(Map.of("type", "insecure")), "server_features", List.of("xds_v3"))),
        "node", Map.of("id", "router~127.0.0.1~grpc-client-0.istio-system~istio-system.svc.cluster.local",
            "cluster", "grpc-client",
            "metadata", Map.of("CLUSTER_ID", "east", "ROLE", "ingress", "NETWORK", "net1",
                "LABELS", Map.of("istio", "ingressgateway"))));
  }

  @Test
  void grpcFollowsTheTranslatedWeightedRouteAcrossTwoClusters() throws Exception {
    GatewayGrouping grouping = GatewayGrouping.create();
    server = XdsServer.builder(vertx).plaintext("127.0.0.1", 0).grouping(grouping)
        .debounce(new DebounceOptions(Duration.ofMillis(20), Duration.ofSeconds(1))).build();
    server.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    InetSocketAddress east1 = backend("127.0.1.1");
    InetSocketAddress east2 = backend("127.0.1.2");
    InetSocketAddress west1 = backend("127.0.2.1");
    MeshFixture fx = new MeshFixture()
        .view(b -> b.network("net1"))
        .file("echo.yaml", Kube.service("default", "echo", "grpc:9000")
            + Kube.slice("default", "echo", "echo-1", "grpc", east1.getPort(), "echo-1/127.0.1.1/version=v1")
            + Kube.slice("default", "echo", "echo-2", "grpc", east2.getPort(), "echo-2/127.0.1.2/version=v1")
            + """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: edge, namespace: istio-system}
            spec:
              selector: {istio: ingressgateway}
              servers:
              - port: {number: 80, name: http, protocol: HTTP}
                hosts: ["echo.example.com"]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: echo, namespace: default}
            spec:
              hosts: ["echo.example.com"]
              gateways: ["istio-system/edge"]
              http:
              - route:
                - destination: {host: echo, subset: v1}
                  weight: 80
                - destination: {host: echo, subset: v2}
                  weight: 20
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: echo, namespace: default}
            spec:
              host: echo
              subsets:
              - {name: v1, labels: {version: v1}}
              - {name: v2, labels: {version: v2}}
            """)
        .cluster("west", "net1", Locality.of("us-west", "", ""), "127.0.2.100")
        .export("west", "default", "echo", List.of(new ServicePort("grpc", 9000, "TCP", "")),
            List.of(new Endpoint("127.0.2.1", Map.of("grpc", west1.getPort()), Locality.UNKNOWN,
                Map.of("app", "echo", "version", "v2"), EndpointHealth.HEALTHY)), Reach.ENDPOINTS, 1);

    // grpc-java's default xds resolver reads its bootstrap once per JVM (GrpcXdsClientInteropTest owns it in this
    // module's JVM): this test's xDS resolver carries its own bootstrap, under its own scheme. The target is the
    // same xDS name: LDS "echo.example.com".
    channel = Grpc.newChannelBuilder("xds-meshfed:///echo.example.com", InsecureChannelCredentials.create())
        .nameResolverFactory(XdsNameResolverProvider.createForTest("xds-meshfed", bootstrap(server.plaintextPort())))
        .build();
    // The client connects on the first call; its node tells the grouping which group it is.
    var firstCall = ClientCalls.futureUnaryCall(channel.newCall(WHO, CallOptions.DEFAULT
        .withDeadlineAfter(30, TimeUnit.SECONDS)), "hi");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (grouping.groups().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(grouping.groups()).containsOnlyKeys("east/ingress/grpc-client/proxyless");
    fx.group(grouping.groups().get("east/ingress/grpc-client/proxyless"));

    Translation translation = fx.translate();
    assertThat(translation.problems()).isEmpty();
    translation.snapshots().forEach((group, snapshot) -> server.snapshots().setSnapshot(group, snapshot));
    assertThat(firstCall.get(30, TimeUnit.SECONDS)).startsWith("127.0.");

    int calls = 400;
    Map<String, Integer> byBackend = new HashMap<>();
    for (int i = 0; i < calls; i++) {
      String who = ClientCalls.blockingUnaryCall(channel, WHO, CallOptions.DEFAULT
          .withDeadlineAfter(20, TimeUnit.SECONDS), "hi");
      byBackend.merge(who, 1, Integer::sum);
    }
    int east = byBackend.getOrDefault("127.0.1.1", 0) + byBackend.getOrDefault("127.0.1.2", 0);
    int west = byBackend.getOrDefault("127.0.2.1", 0);
    assertThat(east + west).isEqualTo(calls);
    // 80/20; binomial sd at n=400 is 2 %, so ±8 % is four standard deviations.
    assertThat(east / (double) calls).isCloseTo(0.80, within(0.08));
    assertThat(byBackend).containsKeys("127.0.1.1", "127.0.1.2", "127.0.2.1");
  }
}
