package io.meshfed.gateway.l7.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.meshfed.control.client.metrics.IstioMetrics;
import io.meshfed.control.client.metrics.TrafficLabels;
import io.meshfed.control.client.metrics.Workload;
import io.meshfed.gateway.l7.EngineTestBase;
import io.meshfed.gateway.l7.L7Engine;
import io.meshfed.gateway.l7.config.XdsResources;
import io.meshfed.gateway.l7.testing.Backend;
import io.meshfed.gateway.l7.testing.Xds;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The engine's outcomes reach Istio's standard metrics with Istio's labels (real engine, real backend). */
class L7MetricsTest extends EngineTestBase {

  static final String CLUSTER = "outbound|9080||reviews.default.svc.cluster.local";
  static final Workload GATEWAY = Workload.builder().name("meshfed-ingressgateway").namespace("meshfed-system")
      .principal("spiffe://cluster.local/ns/meshfed-system/sa/meshfed-ingressgateway").cluster("east").build();

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private int port;

  @Override
  protected L7Engine.Builder configure(L7Engine.Builder builder) {
    // Metrics first: once the recording sink has an outcome, the metrics have it too.
    return builder.outcomeSink(new OutcomeFanOut(List.of(
        new L7Metrics(new IstioMetrics(registry), GATEWAY, () -> engine.snapshot()), outcomes)));
  }

  private Backend backend;

  @BeforeEach
  void serve() throws Exception {
    backend = backend("reviews");
    apply(config("reviews-v1;default;reviews;v1;west"));
    port = port("l");
  }

  private XdsResources config(String workload) {
    Struct istio = Struct.newBuilder()
        .putFields("workload", Value.newBuilder().setStringValue(workload).build())
        .putFields("cluster", Value.newBuilder().setStringValue("west").build()).build();
    return XdsResources.builder().listener(Xds.httpListener("l", "r"))
        .route(Xds.routes("r", Xds.vhost("reviews", List.of("reviews"), Xds.route(Xds.prefix("/"), CLUSTER))))
        .cluster(Xds.edsCluster(CLUSTER).build())
        .endpoints(Xds.assignment(CLUSTER, Xds.endpoint("127.0.0.1", backend.port()).toBuilder()
            .setMetadata(Metadata.newBuilder().putFilterMetadata("istio", istio)).build()))
        .build();
  }

  @Test
  void labelsAreBuiltOncePerEndpointAndFollowEndpointUpdates() throws Exception {
    L7Metrics metrics = new L7Metrics(new IstioMetrics(registry), GATEWAY, () -> engine.snapshot());
    String host = "127.0.0.1:" + backend.port();
    TrafficLabels first = metrics.labels(CLUSTER, host);
    assertThat(metrics.labels(CLUSTER, host)).as("reused, not rebuilt per request").isSameAs(first);
    assertThat(first.destination().name()).isEqualTo("reviews-v1");

    apply(config("reviews-v2;default;reviews;v2;west"));
    TrafficLabels updated = metrics.labels(CLUSTER, host);
    assertThat(updated.destination().name()).as("after the EDS update").isEqualTo("reviews-v2");
    assertThat(updated.destination().version()).isEqualTo("v2");
    assertThat(metrics.labels(CLUSTER, "10.9.9.9:9080").destination()).as("a host the snapshot does not list")
        .isEqualTo(Workload.UNKNOWN);
  }

  @Test
  void aProxiedRequestCountsWithTheGatewayAsSourceAndTheEndpointsWorkloadAsDestination() throws Exception {
    assertThat(http.get(port, "reviews", "/reviews/1").status()).isEqualTo(200);
    assertThat(http.get(port, "reviews", "/reviews/2").status()).isEqualTo(200);
    outcomes.nth(2);

    Counter requests = registry.get(IstioMetrics.REQUESTS_TOTAL).tag("response_code", "200").counter();
    assertThat(requests.count()).isEqualTo(2.0);
    assertThat(requests.getId().getTags()).extracting(tag -> tag.getKey() + "=" + tag.getValue()).contains(
        "reporter=source", "source_workload=meshfed-ingressgateway", "source_workload_namespace=meshfed-system",
        "source_principal=spiffe://cluster.local/ns/meshfed-system/sa/meshfed-ingressgateway", "source_cluster=east",
        "destination_service=reviews.default.svc.cluster.local", "destination_service_name=reviews",
        "destination_service_namespace=default", "destination_workload=reviews-v1",
        "destination_workload_namespace=default", "destination_app=reviews", "destination_version=v1",
        "destination_cluster=west", "request_protocol=http", "response_flags=-",
        "connection_security_policy=unknown", "grpc_response_status=");
    DistributionSummary duration = registry.get(IstioMetrics.REQUEST_DURATION).tag("response_code", "200").summary();
    assertThat(duration.count()).isEqualTo(2);
    assertThat(registry.get(IstioMetrics.RESPONSE_BYTES).tag("response_code", "200").summary().totalAmount())
        .as("response body bytes").isPositive();
  }

  @Test
  void aRequestNoRouteMatchesCountsAsA404WithItsFlagAndAnUnknownDestination() throws Exception {
    assertThat(http.get(port, "nowhere", "/").status()).isEqualTo(404);
    outcomes.nth(1);

    Counter requests = registry.get(IstioMetrics.REQUESTS_TOTAL).tag("response_code", "404").counter();
    assertThat(requests.count()).isEqualTo(1.0);
    assertThat(requests.getId().getTag("response_flags")).isEqualTo("NR");
    assertThat(requests.getId().getTag("destination_service")).isEqualTo("unknown");
    assertThat(requests.getId().getTag("source_workload")).isEqualTo("meshfed-ingressgateway");
  }

  @Test
  void grpcStatusesAreReadAsGrpcsCodesOnly() {
    assertThat(L7Metrics.grpcStatus("0")).isZero();
    assertThat(L7Metrics.grpcStatus("14")).isEqualTo(14);
    assertThat(L7Metrics.grpcStatus("")).isEqualTo(-1);
    assertThat(L7Metrics.grpcStatus("17")).isEqualTo(-1);
    assertThat(L7Metrics.grpcStatus("x")).isEqualTo(-1);
    assertThat(L7Metrics.grpcStatus("100")).isEqualTo(-1);
  }
}
