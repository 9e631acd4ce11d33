package io.meshfed.control.plane.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.control.plane.istio.Message;
import io.meshfed.control.plane.istio.MessageType;
import io.meshfed.control.plane.istio.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each analyzer message with a failing input and a passing one (Istio's samples where they fit). */
class AnalyzersTest {

  private static final String BOOKINFO = "bookinfo/bookinfo.yaml";
  private static final String NET = "bookinfo/networking/";

  @Test
  void hostNotFound() {
    List<Message> found = Inputs.samples(BOOKINFO).yaml("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews}
        spec: {hosts: [reviews], http: [{route: [{destination: {host: reviewz}}]}]}
        """).found(MessageType.HOST_NOT_FOUND);
    assertThat(found).singleElement().satisfies(m -> {
      assertThat(m.field()).isEqualTo("spec.http[0].route[0].destination.host");
      assertThat(m.detail()).contains("reviewz.default.svc.cluster.local");
      assertThat(m.fix()).contains("create the Service");
    });
    assertThat(Inputs.samples(BOOKINFO, NET + "virtual-service-all-v1.yaml", NET + "destination-rule-all.yaml",
        NET + "egress-rule-google-apis.yaml").found(MessageType.HOST_NOT_FOUND)).isEmpty();
  }

  @Test
  void hostExportedByAnotherClusterIsFound() {
    ClusterConfig east = new ClusterConfig("east", Inputs.samples().yaml("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: ratings}
        spec: {hosts: [ratings], http: [{route: [{destination: {host: ratings}}]}]}
        """).snapshot());
    ClusterConfig west = new ClusterConfig("west", Inputs.samples(BOOKINFO).yaml("""
        apiVersion: multicluster.x-k8s.io/v1alpha1
        kind: ServiceExport
        metadata: {name: ratings}
        """).snapshot());
    assertThat(Analysis.standard().run(List.of(east, west)).messages())
        .noneMatch(m -> m.type() == MessageType.HOST_NOT_FOUND);
  }

  @Test
  void gatewayNotFound() {
    assertThat(Inputs.samples(BOOKINFO).yaml("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: bookinfo}
        spec: {hosts: ["*"], gateways: [bookinfo-gw], http: [{route: [{destination: {host: productpage}}]}]}
        """).found(MessageType.GATEWAY_NOT_FOUND)).singleElement()
        .satisfies(m -> assertThat(m.detail()).isEqualTo("Gateway default/bookinfo-gw not found"));
    assertThat(Inputs.samples(BOOKINFO, NET + "bookinfo-gateway.yaml").found(MessageType.GATEWAY_NOT_FOUND))
        .isEmpty();
  }

  @Test
  void subsetNotDefined() {
    List<Message> found = Inputs.samples(BOOKINFO, NET + "virtual-service-all-v1.yaml")
        .found(MessageType.SUBSET_NOT_DEFINED);
    assertThat(found).hasSize(4).allSatisfy(m -> assertThat(m.detail()).contains("no DestinationRule for the host"));
    assertThat(Inputs.samples(BOOKINFO, NET + "virtual-service-all-v1.yaml", NET + "destination-rule-all.yaml")
        .found(MessageType.SUBSET_NOT_DEFINED)).isEmpty();
  }

  @Test
  void subsetSelectsNoPods() {
    // destination-rule-all.yaml defines subsets bookinfo.yaml does not deploy: ratings v2, v2-mysql, v2-mysql-vm
    // and details v2.
    assertThat(Inputs.samples(BOOKINFO, NET + "destination-rule-all.yaml").found(MessageType.SUBSET_SELECTS_NO_PODS))
        .extracting(m -> m.resource().orElseThrow().name() + "/" + m.field()).containsExactlyInAnyOrder(
            "ratings/spec.subsets[1].labels", "ratings/spec.subsets[2].labels", "ratings/spec.subsets[3].labels",
            "details/spec.subsets[1].labels");
    assertThat(Inputs.samples(BOOKINFO, NET + "destination-rule-reviews.yaml")
        .found(MessageType.SUBSET_SELECTS_NO_PODS)).isEmpty();
  }

  @Test
  void mtlsModeConflict() {
    String strict = """
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: default, namespace: istio-system}
        spec: {mtls: {mode: STRICT}}
        """;
    List<Message> found = Inputs.samples(BOOKINFO).yaml(strict + """
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews}
        spec: {host: reviews, trafficPolicy: {tls: {mode: DISABLE}}}
        """).found(MessageType.MTLS_MODE_CONFLICT);
    assertThat(found).singleElement().satisfies(m -> {
      assertThat(m.field()).isEqualTo("spec.trafficPolicy.tls.mode");
      assertThat(m.detail()).contains("DISABLE to port 9080 of Service default/reviews").contains("STRICT");
    });
    assertThat(Inputs.samples(BOOKINFO, NET + "destination-rule-all-mtls.yaml").yaml(strict)
        .found(MessageType.MTLS_MODE_CONFLICT)).isEmpty();
    assertThat(Inputs.samples(BOOKINFO, NET + "destination-rule-all-mtls.yaml").yaml("""
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: ratings-plain}
        spec: {selector: {matchLabels: {app: ratings}}, mtls: {mode: DISABLE}}
        """).found(MessageType.MTLS_MODE_CONFLICT)).singleElement()
        .satisfies(m -> assertThat(m.resource().orElseThrow().name()).isEqualTo("ratings"));
  }

  @Test
  void conflictingMeshVirtualServices() {
    assertThat(Inputs.samples(NET + "virtual-service-reviews-v3.yaml").yaml("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews-canary}
        spec: {hosts: [reviews], http: [{route: [{destination: {host: reviews, subset: v2}}]}]}
        """).found(MessageType.CONFLICTING_VIRTUAL_SERVICE)).singleElement().satisfies(m -> {
          assertThat(m.severity()).isEqualTo(Severity.ERROR);
          assertThat(m.resource().orElseThrow().name()).isEqualTo("reviews-canary");
        });
    assertThat(Inputs.samples(NET + "virtual-service-all-v1.yaml").found(MessageType.CONFLICTING_VIRTUAL_SERVICE))
        .isEmpty();
  }

  @Test
  void conflictingDestinationRules() {
    assertThat(Inputs.samples(NET + "destination-rule-all.yaml").yaml("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews-extra}
        spec: {host: reviews, subsets: [{name: v1, labels: {version: v1}}]}
        """).found(MessageType.CONFLICTING_DESTINATION_RULE)).singleElement()
        .satisfies(m -> assertThat(m.detail()).contains("subset \"v1\" ignored"));
    assertThat(Inputs.samples(NET + "destination-rule-all.yaml").found(MessageType.CONFLICTING_DESTINATION_RULE))
        .isEmpty();
  }

  @Test
  void gatewayHostMismatch() {
    assertThat(Inputs.samples(BOOKINFO).yaml("""
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: gw}
        spec: {servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [bookinfo.example.com]}]}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: vs}
        spec: {hosts: [shop.example.com], gateways: [gw], http: [{route: [{destination: {host: productpage}}]}]}
        """).found(MessageType.GATEWAY_HOST_MISMATCH)).singleElement()
        .satisfies(m -> assertThat(m.fix()).contains("default/shop.example.com"));
    assertThat(Inputs.samples(BOOKINFO, NET + "bookinfo-gateway.yaml", "helloworld/helloworld.yaml",
        "helloworld/helloworld-gateway.yaml", "httpbin/httpbin.yaml", "httpbin/httpbin-gateway.yaml",
        "multicluster/expose-services.yaml").found(MessageType.GATEWAY_HOST_MISMATCH)).isEmpty();
  }

  @Test
  void portProtocolUndetectable() {
    assertThat(Inputs.samples().yaml("""
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec: {selector: {app: web}, ports: [{name: web, port: 80}, {name: grpc-api, port: 81},
               {name: other, port: 82, appProtocol: http}]}
        """).found(MessageType.PORT_PROTOCOL_UNDETECTABLE)).singleElement().satisfies(m -> {
          assertThat(m.field()).isEqualTo("spec.ports[0].name");
          assertThat(m.fix()).contains("http-web");
        });
    assertThat(Inputs.samples(BOOKINFO, "helloworld/helloworld.yaml", "httpbin/httpbin.yaml", "sleep/sleep.yaml")
        .found(MessageType.PORT_PROTOCOL_UNDETECTABLE)).isEmpty();
  }

  @Test
  void retriesExceedTimeout() {
    String route = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: ratings}
        spec:
          hosts: [ratings]
          http: [{route: [{destination: {host: ratings}}], timeout: %s, retries: {attempts: 3, perTryTimeout: 2s}}]
        """;
    assertThat(Inputs.samples(BOOKINFO).yaml(route.formatted("2s")).found(MessageType.RETRIES_EXCEED_TIMEOUT))
        .singleElement().satisfies(m -> {
          assertThat(m.detail()).contains("only 0 of 3 retries can run");
          assertThat(m.fix()).contains("raise timeout to at least 8s").contains("perTryTimeout to at most 500ms");
        });
    assertThat(Inputs.samples(BOOKINFO).yaml(route.formatted("8s")).found(MessageType.RETRIES_EXCEED_TIMEOUT))
        .isEmpty();
    assertThat(Inputs.samples(BOOKINFO, NET + "virtual-service-ratings-test-delay.yaml")
        .found(MessageType.RETRIES_EXCEED_TIMEOUT)).isEmpty();
  }

  @Test
  void outlierDetectionEjectsAll() {
    String rule = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews}
        spec:
          host: reviews
          trafficPolicy: {outlierDetection: {consecutive5xxErrors: 1, maxEjectionPercent: %d}}
        """;
    assertThat(Inputs.samples(BOOKINFO).yaml(rule.formatted(100)).found(MessageType.OUTLIER_DETECTION_EJECTS_ALL))
        .singleElement().satisfies(m -> assertThat(m.field()).isEqualTo("spec.trafficPolicy.outlierDetection"));
    assertThat(Inputs.samples(BOOKINFO).yaml(rule.formatted(50)).found(MessageType.OUTLIER_DETECTION_EJECTS_ALL))
        .isEmpty();
    assertThat(Inputs.samples(BOOKINFO, NET + "destination-rule-all.yaml")
        .found(MessageType.OUTLIER_DETECTION_EJECTS_ALL)).isEmpty();
  }

  @Test
  void serviceExportWithoutService() {
    String export = """
        apiVersion: multicluster.x-k8s.io/v1alpha1
        kind: ServiceExport
        metadata: {name: %s}
        """;
    assertThat(Inputs.samples(BOOKINFO).yaml(export.formatted("reviewz")).found(
        MessageType.SERVICE_EXPORT_WITHOUT_SERVICE)).singleElement()
        .satisfies(m -> assertThat(m.detail()).startsWith("no Service default/reviewz"));
    assertThat(Inputs.samples(BOOKINFO).yaml(export.formatted("reviews"))
        .found(MessageType.SERVICE_EXPORT_WITHOUT_SERVICE)).isEmpty();
  }

  private static String remoteSecret(String name, String clusterId, String server) {
    String kubeconfig = """
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "%s"}}]
        contexts: [{name: c, context: {cluster: c, user: u}}]
        current-context: c
        users: [{name: u, user: {token: secret-token}}]
        """.formatted(server);
    return """
        apiVersion: v1
        kind: Secret
        metadata:
          name: %s
          namespace: meshfed-system
          labels: {meshfed.io/multi-cluster: "true"}
          annotations: {meshfed.io/cluster: %s}
        data:
          %s: %s
        ---
        """.formatted(name, clusterId, clusterId,
        java.util.Base64.getEncoder().encodeToString(kubeconfig.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  void remoteSecretClusterIdUsedTwice() {
    List<Message> found = Inputs.samples().yaml(remoteSecret("remote-west", "west", "https://10.0.0.1:6443")
        + remoteSecret("remote-west-2", "west", "https://10.0.0.2:6443")).found(MessageType.DUPLICATE_CLUSTER_ID);
    assertThat(found).singleElement().satisfies(m -> {
      assertThat(m.resource().orElseThrow().name()).isEqualTo("remote-west-2");
      assertThat(m.toString()).doesNotContain("secret-token");
    });
    assertThat(Inputs.samples().yaml(remoteSecret("remote-west", "west", "https://10.0.0.1:6443")
        + remoteSecret("remote-third", "third", "https://10.0.0.3:6443")).found(MessageType.DUPLICATE_CLUSTER_ID))
        .isEmpty();
  }

  @Test
  void remoteSecretClusterIdMeaningTwoClustersAcrossTheMesh() {
    ClusterConfig east = new ClusterConfig("east",
        Inputs.samples().yaml(remoteSecret("remote-third", "third", "https://10.0.0.3:6443")).snapshot());
    ClusterConfig west = new ClusterConfig("west",
        Inputs.samples().yaml(remoteSecret("remote-third", "third", "https://10.9.9.9:6443")).snapshot());
    assertThat(Analysis.standard().run(List.of(east, west)).messages())
        .filteredOn(m -> m.type() == MessageType.DUPLICATE_CLUSTER_ID).singleElement().satisfies(m -> {
          assertThat(m.cluster()).contains("west");
          assertThat(m.detail()).contains("https://10.9.9.9:6443").contains("https://10.0.0.3:6443");
          assertThat(m.toString()).doesNotContain("secret-token");
        });
    ClusterConfig westAgreeing = new ClusterConfig("west",
        Inputs.samples().yaml(remoteSecret("remote-third", "third", "https://10.0.0.3:6443")).snapshot());
    assertThat(Analysis.standard().run(List.of(east, westAgreeing)).messages())
        .noneMatch(m -> m.type() == MessageType.DUPLICATE_CLUSTER_ID);
  }

  @Test
  void exportedServicePortsDifferBetweenClusters() {
    String export = """
        apiVersion: multicluster.x-k8s.io/v1alpha1
        kind: ServiceExport
        metadata: {name: reviews}
        """;
    ClusterConfig east = new ClusterConfig("east", Inputs.samples(BOOKINFO).yaml(export).snapshot());
    ClusterConfig west = new ClusterConfig("west", Inputs.samples().yaml(export + """
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: reviews}
        spec: {selector: {app: reviews}, ports: [{name: http, port: 9090}, {name: grpc, port: 9091}]}
        """).snapshot());
    AnalysisReport report = Analysis.standard().run(List.of(east, west));
    assertThat(report.messages()).filteredOn(m -> m.type() == MessageType.EXPORTED_PORT_CONFLICT).singleElement()
        .satisfies(m -> {
          assertThat(m.cluster()).contains("west");
          assertThat(m.detail()).isEqualTo("exported port http is 9090/TCP here but 9080/TCP in cluster east");
        });
    assertThat(report.messages()).filteredOn(m -> m.type() == MessageType.EXPORTED_PORTS_DIFFER).singleElement()
        .satisfies(m -> assertThat(m.detail()).contains("port grpc is missing in cluster(s) [east]"));

    ClusterConfig westSame = new ClusterConfig("west", Inputs.samples(BOOKINFO).yaml(export).snapshot());
    assertThat(Analysis.standard().run(List.of(east, westSame)).messages())
        .noneMatch(m -> m.type() == MessageType.EXPORTED_PORT_CONFLICT || m.type() == MessageType.EXPORTED_PORTS_DIFFER);
  }

  @Test
  void theSamplesTogetherRaiseOnlyTheKnownFindings() {
    AnalysisReport report = Inputs.samples(BOOKINFO, NET + "bookinfo-gateway.yaml", NET + "destination-rule-all.yaml",
        NET + "virtual-service-all-v1.yaml", "helloworld/helloworld.yaml", "helloworld/helloworld-gateway.yaml",
        "httpbin/httpbin.yaml", "httpbin/httpbin-gateway.yaml", "sleep/sleep.yaml").analyze();
    // Only the subsets bookinfo.yaml does not deploy.
    assertThat(report.messages()).extracting(Message::type).containsOnly(MessageType.SUBSET_SELECTS_NO_PODS);
  }
}
