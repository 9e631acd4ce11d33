package io.meshfed.control.plane.translate;

import static io.meshfed.control.plane.translate.MeshFixture.EASTWEST;
import static io.meshfed.control.plane.translate.MeshFixture.INGRESS;
import static io.meshfed.control.plane.translate.MeshFixture.compact;
import static io.meshfed.control.plane.translate.MeshFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.control.plane.translate.TranslationProblem.Kind;
import io.meshfed.federation.catalog.Locality;
import io.meshfed.federation.catalog.Reach;
import io.meshfed.federation.catalog.ServicePort;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Istio's bookinfo samples ({@code samples/bookinfo/networking}) translated: the ingress Gateway and its
 * VirtualService, and the mesh VirtualServices (reviews 80/20, jason → v2, fault injection, all-v1 with
 * destination-rule-all's subsets) as the east-west gateway's outbound listener and a proxyless mesh client see them.
 */
class BookinfoTranslationTest {

  static final String MESH_CLIENT = "east/mesh/productpage/proxyless";
  private static final List<ServicePort> HTTP_9080 = List.of(new ServicePort("http", 9080, "TCP", ""));

  /** Bookinfo in cluster east; reviews and ratings also exported by cluster west (another network). */
  static MeshFixture bookinfo() {
    return new MeshFixture().ingress().eastwest()
        .group(new GatewayGroup(MESH_CLIENT, "east", Optional.empty(), GatewayGroup.Form.PROXYLESS, "default",
            "productpage", java.util.Map.of("app", "productpage"), "", Locality.UNKNOWN))
        .cluster("west", "net-west", Locality.of("us-west", "", ""), "127.0.2.100:15443")
        .export("west", "default", "reviews", HTTP_9080, List.of(), Reach.GATEWAY, 3)
        .export("west", "default", "ratings", HTTP_9080, List.of(), Reach.GATEWAY, 1)
        .sample("bookinfo/networking/destination-rule-all.yaml")
        .file("bookinfo.yaml", Kube.service("default", "productpage", "http:9080")
            + Kube.endpoints("default", "productpage", "http", 9080, "productpage-v1/10.1.0.1/version=v1")
            + Kube.service("default", "details", "http:9080")
            + Kube.endpoints("default", "details", "http", 9080, "details-v1/10.1.0.2/version=v1")
            + Kube.service("default", "reviews", "http:9080")
            + Kube.endpoints("default", "reviews", "http", 9080, "reviews-v1/10.1.0.3/version=v1",
                "reviews-v2/10.1.0.4/version=v2", "reviews-v3/10.1.0.5/version=v3")
            + Kube.service("default", "ratings", "http:9080")
            + Kube.endpoints("default", "ratings", "http", 9080, "ratings-v1/10.1.0.6/version=v1"));
  }

  private static VirtualHost vhost(MeshFixture fx, String group, String route, String name) {
    return fx.route(group, route).getVirtualHostsList().stream().filter(v -> v.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no virtual host " + name + " in " + route));
  }

  @Test
  void ingressGatewayRoutesTheProductPagePaths() {
    MeshFixture fx = bookinfo().sample("bookinfo/networking/bookinfo-gateway.yaml");
    fx.translate();

    assertThat(fx.names(INGRESS, XdsResourceType.LISTENER)).containsExactly("0.0.0.0_8080");
    VirtualHost all = vhost(fx, INGRESS, "http.8080", "*:8080");
    assertThat(all.getDomainsList()).containsExactly("*");
    assertThat(all.getRoutesList()).extracting(r -> json(r.getMatch())).containsExactly(
        "{\"path\":\"/productpage\"}", "{\"prefix\":\"/static\"}", "{\"path\":\"/login\"}", "{\"path\":\"/logout\"}",
        "{\"prefix\":\"/api/v1/products\"}");
    assertThat(all.getRoutesList()).allSatisfy(r -> assertThat(r.getRoute().getCluster())
        .isEqualTo("outbound|9080||productpage.default.svc.cluster.local"));
    // The ingress gets only the clusters its routes need.
    assertThat(fx.names(INGRESS, XdsResourceType.CLUSTER))
        .containsExactly("outbound|9080||productpage.default.svc.cluster.local");
  }

  @Test
  void reviews8020SplitsBetweenSubsetClusters() {
    MeshFixture fx = bookinfo().sample("bookinfo/networking/virtual-service-reviews-80-20.yaml");
    fx.translate();

    String expected = compact("""
        {"weightedClusters":{"clusters":[
          {"name":"outbound|9080|v1|reviews.default.svc.cluster.local","weight":80},
          {"name":"outbound|9080|v2|reviews.default.svc.cluster.local","weight":20}]},
         "timeout":"0s"}
        """);
    Route eastWest = vhost(fx, EASTWEST, "outbound.15001", "reviews.default.svc.cluster.local:9080").getRoutes(0);
    assertThat(json(eastWest.getRoute().toBuilder().clearRetryPolicy().build())).isEqualTo(expected);
    Route proxyless = fx.route(MESH_CLIENT, "reviews.default.svc.cluster.local:9080").getVirtualHosts(0)
        .getRoutes(0);
    assertThat(json(proxyless.getRoute().toBuilder().clearRetryPolicy().build())).isEqualTo(expected);
    // Each subset is its own cluster; through the east-west gateway only other clusters' endpoints.
    assertThat(fx.names(EASTWEST, XdsResourceType.CLUSTER)).contains(
        "outbound|9080|v1|reviews.default.svc.cluster.local", "outbound|9080|v2|reviews.default.svc.cluster.local");
    assertThat(json(fx.endpoints(EASTWEST, "outbound|9080|v1|reviews.default.svc.cluster.local")))
        .contains("\"address\":\"127.0.2.100\",\"portValue\":15443").doesNotContain("10.1.0.");
  }

  @Test
  void jasonGoesToV2OnAProxylessClientAndTheHeaderRuleIsReportedAtTheEastWestGateway() {
    MeshFixture fx = bookinfo().sample("bookinfo/networking/virtual-service-reviews-test-v2.yaml");
    fx.translate();

    List<Route> routes = fx.route(MESH_CLIENT, "reviews.default.svc.cluster.local:9080").getVirtualHosts(0)
        .getRoutesList();
    assertThat(routes).hasSize(2);
    assertThat(json(routes.get(0).getMatch())).isEqualTo(compact("""
        {"prefix":"/","headers":[{"name":"end-user","stringMatch":{"exact":"jason"}}]}
        """));
    assertThat(routes.get(0).getRoute().getCluster()).isEqualTo("outbound|9080|v2|reviews.default.svc.cluster.local");
    assertThat(routes.get(1).getRoute().getCluster()).isEqualTo("outbound|9080|v1|reviews.default.svc.cluster.local");

    // The east-west gateway's routes match paths only: the jason rule is left out there, and said so.
    List<Route> eastWest = vhost(fx, EASTWEST, "outbound.15001", "reviews.default.svc.cluster.local:9080")
        .getRoutesList();
    assertThat(eastWest).extracting(r -> r.getRoute().getCluster())
        .containsExactly("outbound|9080|v1|reviews.default.svc.cluster.local");
    assertThat(fx.last.problems()).anySatisfy(p -> {
      assertThat(p.kind()).isEqualTo(Kind.UNSUPPORTED);
      assertThat(p.object()).hasValueSatisfying(k -> assertThat(k.toString())
          .isEqualTo("VirtualService default/reviews"));
      assertThat(p.field()).isEqualTo("spec.http[0].match[0]");
      assertThat(p.groups()).containsExactly(EASTWEST);
    });
  }

  @Test
  void faultInjectionAbortAndDelayForJason() {
    MeshFixture fx = bookinfo().sample("bookinfo/networking/virtual-service-ratings-test-abort.yaml");
    fx.translate();
    Route abort = fx.route(MESH_CLIENT, "ratings.default.svc.cluster.local:9080").getVirtualHosts(0).getRoutes(0);
    assertThat(json(abort.getTypedPerFilterConfigOrThrow("envoy.filters.http.fault"))).isEqualTo(compact("""
        {"@type":"type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault",
         "abort":{"httpStatus":500,"percentage":{"numerator":1000000,"denominator":"MILLION"}}}
        """));
    assertThat(abort.getRoute().getCluster()).isEqualTo("outbound|9080|v1|ratings.default.svc.cluster.local");

    fx.remove("bookinfo/networking/virtual-service-ratings-test-abort.yaml")
        .sample("bookinfo/networking/virtual-service-ratings-test-delay.yaml");
    fx.translate();
    Route delay = fx.route(MESH_CLIENT, "ratings.default.svc.cluster.local:9080").getVirtualHosts(0).getRoutes(0);
    assertThat(json(delay.getTypedPerFilterConfigOrThrow("envoy.filters.http.fault"))).isEqualTo(compact("""
        {"@type":"type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault",
         "delay":{"fixedDelay":"7s","percentage":{"numerator":1000000,"denominator":"MILLION"}}}
        """));
  }

  @Test
  void allV1WithDestinationRuleAllRoutesEveryServiceToItsV1Cluster() {
    MeshFixture fx = bookinfo().sample("bookinfo/networking/virtual-service-all-v1.yaml");
    fx.translate();

    for (String service : List.of("productpage", "reviews", "ratings", "details")) {
      String fqdn = service + ".default.svc.cluster.local";
      assertThat(fx.route(MESH_CLIENT, fqdn + ":9080").getVirtualHosts(0).getRoutesList())
          .extracting(r -> r.getRoute().getCluster()).containsExactly("outbound|9080|v1|" + fqdn);
      assertThat(json(fx.endpoints(MESH_CLIENT, "outbound|9080|v1|" + fqdn))).contains("10.1.0.");
    }
    assertThat(json(fx.endpoints(MESH_CLIENT, "outbound|9080|v1|reviews.default.svc.cluster.local")))
        .contains("\"address\":\"10.1.0.3\"").doesNotContain("10.1.0.4").doesNotContain("10.1.0.5");
    assertThat(fx.last.problems()).noneMatch(p -> p.severity() == io.meshfed.control.plane.istio.Severity.ERROR);
  }
}
