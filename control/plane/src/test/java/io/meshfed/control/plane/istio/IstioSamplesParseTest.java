package io.meshfed.control.plane.istio;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.control.plane.istio.DestinationRule.TlsMode;
import io.meshfed.control.plane.istio.StringMatch.Kind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every object of Istio's samples that meshfed claims to support parses, into the model Istio's docs describe. */
class IstioSamplesParseTest {

  private static List<ParsedResource> parse(String file) {
    return IstioSamples.parse(IstioSamples.file(file), MeshSettings.DEFAULT);
  }

  @SuppressWarnings("unchecked")
  private static <T extends ConfigResource> T only(String file, Class<T> type, String name) {
    return (T) parse(file).stream().flatMap(r -> r.config().stream()).filter(type::isInstance)
        .filter(r -> r.meta().name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void everySupportedSampleObjectParsesWithoutErrors() {
    int read = 0;
    for (Path file : IstioSamples.yamlFiles("")) {
      for (ParsedResource result : IstioSamples.parse(file, MeshSettings.DEFAULT)) {
        boolean gatewayApi = file.toString().contains("gateway-api");
        if (gatewayApi && result.messages().stream().allMatch(m -> m.type() == MessageType.IGNORED_KIND)) {
          continue; // Kubernetes Gateway API objects: not read by meshfed, reported as ignored
        }
        assertThat(result.messages()).as("%s in %s", result.key(), file).isEmpty();
        assertThat(result.valid()).isTrue();
        read++;
      }
    }
    assertThat(read).isGreaterThan(75);
  }

  @Test
  void gatewayApiObjectsAreReportedAsIgnoredNotDropped() {
    List<ParsedResource> results = parse("helloworld/gateway-api/helloworld-gateway.yaml");
    assertThat(results).allSatisfy(r -> assertThat(r.messages()).singleElement()
        .satisfies(m -> assertThat(m.type()).isEqualTo(MessageType.IGNORED_KIND)));
  }

  @Test
  void weightedSubsetRouteOfBookinfo() {
    VirtualService vs = only("bookinfo/networking/virtual-service-reviews-80-20.yaml", VirtualService.class, "reviews");
    assertThat(vs.hosts()).containsExactly("reviews");
    assertThat(vs.fqdnHosts()).containsExactly("reviews.default.svc.cluster.local");
    assertThat(vs.gatewayRefs()).containsExactly("mesh");
    assertThat(vs.http()).singleElement().satisfies(route -> {
      assertThat(route.route()).extracting(d -> d.destination().subset().orElseThrow(), d -> d.weight())
          .containsExactly(org.assertj.core.groups.Tuple.tuple("v1", 80), org.assertj.core.groups.Tuple.tuple("v2", 20));
      assertThat(route.route().get(0).destination().fqdn()).isEqualTo("reviews.default.svc.cluster.local");
    });
  }

  @Test
  void headerMatchOfBookinfoJasonRoute() {
    VirtualService vs = only("bookinfo/networking/virtual-service-reviews-test-v2.yaml", VirtualService.class,
        "reviews");
    VirtualService.HttpMatch match = vs.http().get(0).match().get(0);
    assertThat(match.headers()).containsEntry("end-user", new StringMatch(Kind.EXACT, "jason"));
    assertThat(vs.http().get(1).match()).isEmpty();
  }

  @Test
  void faultInjectionSamples() {
    VirtualService delay = only("bookinfo/networking/virtual-service-ratings-test-delay.yaml", VirtualService.class,
        "ratings");
    VirtualService.Delay d = delay.http().get(0).fault().orElseThrow().delay().orElseThrow();
    assertThat(d.fixedDelay()).isEqualTo(Duration.ofSeconds(7));
    assertThat(d.percentage()).isEqualTo(100.0);
    VirtualService abort = only("bookinfo/networking/virtual-service-ratings-test-abort.yaml", VirtualService.class,
        "ratings");
    VirtualService.Abort a = abort.http().get(0).fault().orElseThrow().abort().orElseThrow();
    assertThat(a.httpStatus()).contains(500);
    assertThat(a.percentage()).isEqualTo(100.0);
  }

  @Test
  void gatewayBoundVirtualServiceOfBookinfo() {
    VirtualService vs = only("bookinfo/networking/bookinfo-gateway.yaml", VirtualService.class, "bookinfo");
    assertThat(vs.gatewayRefs()).containsExactly("default/bookinfo-gateway");
    assertThat(vs.appliesToMesh()).isFalse();
    assertThat(vs.http().get(0).match()).extracting(m -> m.uri().orElseThrow()).contains(
        new StringMatch(Kind.EXACT, "/productpage"), new StringMatch(Kind.PREFIX, "/static"));
    Gateway gateway = only("bookinfo/networking/bookinfo-gateway.yaml", Gateway.class, "bookinfo-gateway");
    assertThat(gateway.selector()).containsEntry("istio", "ingressgateway");
    assertThat(gateway.servers()).singleElement().satisfies(server -> {
      assertThat(server.port()).isEqualTo(new Gateway.Port(8080, Gateway.Protocol.HTTP, "http"));
      assertThat(server.hosts()).containsExactly("*");
    });
  }

  @Test
  void destinationRulesWithIstioMutualAndSubsets() {
    DestinationRule dr = only("bookinfo/networking/destination-rule-all-mtls.yaml", DestinationRule.class, "reviews");
    assertThat(dr.fqdn()).isEqualTo("reviews.default.svc.cluster.local");
    assertThat(dr.trafficPolicy().orElseThrow().tls().orElseThrow().mode()).isEqualTo(TlsMode.ISTIO_MUTUAL);
    assertThat(dr.subsets()).extracting(DestinationRule.Subset::name).containsExactly("v1", "v2", "v3");
    assertThat(dr.subset("v2").orElseThrow().labels()).isEqualTo(Map.of("version", "v2"));
  }

  @Test
  void egressServiceEntryWithPortLevelTlsOrigination() {
    ServiceEntry se = only("bookinfo/networking/egress-rule-google-apis.yaml", ServiceEntry.class, "googleapis");
    assertThat(se.resolution()).isEqualTo(ServiceEntry.Resolution.DNS);
    assertThat(se.location()).isEqualTo(ServiceEntry.Location.MESH_EXTERNAL);
    assertThat(se.ports()).extracting(ServiceEntry.ServicePort::number, ServiceEntry.ServicePort::protocol)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(80, Gateway.Protocol.HTTP),
            org.assertj.core.groups.Tuple.tuple(443, Gateway.Protocol.HTTPS));
    DestinationRule dr = only("bookinfo/networking/egress-rule-google-apis.yaml", DestinationRule.class,
        "originate-tls-for-googleapis");
    assertThat(dr.fqdn()).isEqualTo("www.googleapis.com");
    assertThat(dr.trafficPolicy().orElseThrow().loadBalancer().orElseThrow().simple())
        .contains(DestinationRule.SimpleLb.ROUND_ROBIN);
    assertThat(dr.trafficPolicy().orElseThrow().forPort(443).orElseThrow().tls().orElseThrow().mode())
        .isEqualTo(TlsMode.SIMPLE);
  }

  @Test
  void multiclusterSamplesUseAutoPassthroughAndSniRoutes() {
    Gateway crossNetwork = only("multicluster/expose-services.yaml", Gateway.class, "cross-network-gateway");
    Gateway.Server server = crossNetwork.servers().get(0);
    assertThat(server.port().number()).isEqualTo(15443);
    assertThat(server.tls().orElseThrow().mode()).isEqualTo(Gateway.TlsMode.AUTO_PASSTHROUGH);
    assertThat(server.hosts()).containsExactly("*.local");

    VirtualService istiod = only("multicluster/expose-istiod.yaml", VirtualService.class, "istiod-vs");
    assertThat(istiod.tls()).hasSize(2);
    assertThat(istiod.tls().get(0).match().get(0).sniHosts()).containsExactly("*");
    assertThat(istiod.tls().get(0).match().get(0).port()).contains(15012);
    assertThat(istiod.tls().get(1).route().get(0).destination().port()).contains(443);

    DestinationRule https = only("multicluster/expose-istiod-https.yaml", DestinationRule.class, "istiod-dr");
    assertThat(https.trafficPolicy().orElseThrow().forPort(15012).orElseThrow().connectionPool().orElseThrow()
        .http().orElseThrow().h2UpgradePolicy()).isEqualTo(DestinationRule.H2UpgradePolicy.UPGRADE);
    Gateway simple = only("multicluster/expose-istiod-https.yaml", Gateway.class, "istiod-gateway");
    assertThat(simple.servers().get(0).port().protocol()).isEqualTo(Gateway.Protocol.HTTPS); // written "https"
    assertThat(simple.servers().get(0).tls().orElseThrow().credentialName()).contains("$CREDENTIAL_NAME");
  }

  @Test
  void helloworldAndHttpbinKubernetesObjectsAreCarriedTyped() {
    List<ParsedResource> results = parse("helloworld/helloworld.yaml");
    assertThat(results).extracting(r -> r.key().orElseThrow().toString())
        .contains("Service default/helloworld", "Deployment default/helloworld-v1", "Deployment default/helloworld-v2");
    assertThat(results).allSatisfy(r -> assertThat(r.kubernetes()).isPresent());
    Optional<io.fabric8.kubernetes.api.model.HasMetadata> httpbin = parse("httpbin/httpbin.yaml").stream()
        .filter(r -> r.key().orElseThrow().kind().equals("Service")).findFirst().flatMap(ParsedResource::kubernetes);
    assertThat(((io.fabric8.kubernetes.api.model.Service) httpbin.orElseThrow()).getSpec().getPorts().get(0)
        .getTargetPort().getIntVal()).isEqualTo(8080);
  }
}
