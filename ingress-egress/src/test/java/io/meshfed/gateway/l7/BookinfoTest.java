package io.meshfed.gateway.l7;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.meshfed.gateway.l7.config.XdsResources;
import io.meshfed.gateway.l7.testing.Backend;
import io.meshfed.gateway.l7.testing.Http;
import io.meshfed.gateway.l7.testing.Xds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Istio's bookinfo VirtualServices ({@code ../shared/istio-samples/bookinfo/networking/}) routed end to end through
 * the ingress engine to Vert.x stand-ins for productpage, reviews v1/v2/v3 and ratings v1.
 *
 * <p>The Istio→xDS translator is written elsewhere (control/plane), so this test builds the equivalent xDS protos by
 * hand, following docs/xds-profile.md: Istio's cluster names ({@code outbound|9080|v1|reviews...}), one virtual host
 * per VirtualService host bound to the gateway, weighted clusters, header matches and the fault filter's per-route
 * {@code HTTPFault}. The values that matter (weights, subsets, the {@code jason} header, fault status and percentage)
 * are read from the sample YAML files, so the test follows the samples. One deviation, for speed: the delay sample's
 * 7 s fixed delay is scaled down to 700 ms.
 */
class BookinfoTest extends EngineTestBase {

  private static final Path SAMPLES = samples();
  private static final String REVIEWS = "reviews.default.svc.cluster.local";
  private static final String RATINGS = "ratings.default.svc.cluster.local";
  private static final String PRODUCTPAGE = "productpage.default.svc.cluster.local";
  private static final HttpFilter FAULT = HttpFilter.newBuilder().setName("envoy.filters.http.fault")
      .setTypedConfig(Any.pack(HTTPFault.getDefaultInstance())).build();

  private Backend productpage;
  private Backend reviewsV1;
  private Backend reviewsV2;
  private Backend reviewsV3;
  private Backend ratingsV1;

  @BeforeEach
  void bookinfo() throws Exception {
    Assumptions.assumeTrue(Files.isDirectory(SAMPLES), "Istio samples not found at " + SAMPLES);
    // Pods on distinct loopback addresses, as the suite's simulated cluster "east" (127.0.1.x).
    productpage = backend("productpage-v1", "127.0.1.10");
    reviewsV1 = backend("reviews-v1", "127.0.1.11");
    reviewsV2 = backend("reviews-v2", "127.0.1.12");
    reviewsV3 = backend("reviews-v3", "127.0.1.13");
    ratingsV1 = backend("ratings-v1", "127.0.1.14");
  }

  /** The samples sit in {@code shared/istio-samples} beside the checkout (or its parent, for worktrees). */
  private static Path samples() {
    String configured = System.getProperty("meshfed.istio.samples");
    if (configured != null) {
      return Path.of(configured, "bookinfo", "networking");
    }
    for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared/istio-samples/bookinfo/networking");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    return Path.of("shared/istio-samples/bookinfo/networking");
  }

  private static String sample(String file) throws Exception {
    return Files.readString(SAMPLES.resolve(file));
  }

  private static String cluster(String subset, String host) {
    return "outbound|9080|" + subset + "|" + host;
  }

  /** The routes of bookinfo-gateway.yaml's VirtualService "bookinfo", plus the given mesh hosts bound to it. */
  private void serve(VirtualHost... meshHosts) throws Exception {
    String gateway = sample("bookinfo-gateway.yaml");
    assertThat(gateway).contains("exact: /productpage").contains("prefix: /static").contains("exact: /login")
        .contains("exact: /logout").contains("prefix: /api/v1/products");
    String productpageCluster = "outbound|9080||" + PRODUCTPAGE;
    VirtualHost star = Xds.vhost("*:8080", List.of("*"),
        Xds.route(RouteMatch.newBuilder().setPath("/productpage").build(), productpageCluster),
        Xds.route(Xds.prefix("/static"), productpageCluster),
        Xds.route(RouteMatch.newBuilder().setPath("/login").build(), productpageCluster),
        Xds.route(RouteMatch.newBuilder().setPath("/logout").build(), productpageCluster),
        Xds.route(Xds.prefix("/api/v1/products"), productpageCluster));
    List<VirtualHost> hosts = new ArrayList<>(List.of(meshHosts));
    hosts.add(star);
    apply(XdsResources.builder()
        .listener(Xds.httpListener("0.0.0.0_8080", Xds.hcm("http.8080", FAULT).build()))
        .route(Xds.routes("http.8080", hosts.toArray(new VirtualHost[0])))
        .cluster(Xds.edsCluster(productpageCluster).build())
        .endpoints(Xds.assignment(productpageCluster, Xds.endpoint("127.0.1.10", productpage.port())))
        .cluster(Xds.edsCluster(cluster("v1", REVIEWS)).build())
        .endpoints(Xds.assignment(cluster("v1", REVIEWS), Xds.endpoint("127.0.1.11", reviewsV1.port())))
        .cluster(Xds.edsCluster(cluster("v2", REVIEWS)).build())
        .endpoints(Xds.assignment(cluster("v2", REVIEWS), Xds.endpoint("127.0.1.12", reviewsV2.port())))
        .cluster(Xds.edsCluster(cluster("v3", REVIEWS)).build())
        .endpoints(Xds.assignment(cluster("v3", REVIEWS), Xds.endpoint("127.0.1.13", reviewsV3.port())))
        .cluster(Xds.edsCluster(cluster("v1", RATINGS)).build())
        .endpoints(Xds.assignment(cluster("v1", RATINGS), Xds.endpoint("127.0.1.14", ratingsV1.port())))
        .build());
  }

  private static List<String> domains(String shortName, String fqdn) {
    return List.of(shortName, shortName + ":9080", fqdn, fqdn + ":9080");
  }

  private static RouteMatch jason() {
    return RouteMatch.newBuilder().setPrefix("/").addHeaders(HeaderMatcher.newBuilder().setName("end-user")
        .setStringMatch(StringMatcher.newBuilder().setExact("jason"))).build();
  }

  private String backendOf(String authority, String path, String... headers) throws Exception {
    Http.Response response = http.get(port("0.0.0.0_8080"), authority, path, headers);
    assertThat(response.status()).as("%s %s", authority, path).isEqualTo(200);
    return response.json().getString("backend");
  }

  @Test
  void routesTheGatewayPathsToProductpageAndNothingElse() throws Exception {
    serve();

    assertThat(backendOf("bookinfo.example.com", "/productpage")).isEqualTo("productpage-v1");
    assertThat(backendOf("bookinfo.example.com", "/static/css/style.css")).isEqualTo("productpage-v1");
    assertThat(backendOf("bookinfo.example.com", "/api/v1/products/0/reviews")).isEqualTo("productpage-v1");
    assertThat(http.get(port("0.0.0.0_8080"), "bookinfo.example.com", "/admin").status()).isEqualTo(404);
  }

  @Test
  void splitsReviewsEightyTwentyAsTheSampleSays() throws Exception {
    String yaml = sample("virtual-service-reviews-80-20.yaml");
    Matcher subsets = Pattern.compile("subset: (v\\d)\\s+weight: (\\d+)").matcher(yaml);
    WeightedCluster.Builder split = WeightedCluster.newBuilder();
    List<Integer> weights = new ArrayList<>();
    while (subsets.find()) {
      int weight = Integer.parseInt(subsets.group(2));
      weights.add(weight);
      split.addClusters(WeightedCluster.ClusterWeight.newBuilder().setName(cluster(subsets.group(1), REVIEWS))
          .setWeight(Xds.u32(weight)));
    }
    assertThat(weights).containsExactly(80, 20);
    serve(Xds.vhost("reviews.default.svc.cluster.local:9080", domains("reviews", REVIEWS),
        Route.newBuilder().setMatch(Xds.prefix("/")).setRoute(RouteAction.newBuilder().setWeightedClusters(split)
            .setTimeout(Xds.seconds(0))).build()));

    int v1 = 0;
    int v2 = 0;
    int total = 500;
    for (int i = 0; i < total; i++) {
      String backend = backendOf("reviews:9080", "/reviews/0");
      if (backend.equals("reviews-v1")) {
        v1++;
      } else if (backend.equals("reviews-v2")) {
        v2++;
      }
    }
    assertThat(v1 + v2).isEqualTo(total);
    // 80% of 500 = 400, σ ≈ 8.9: ±45 is five standard deviations.
    assertThat(v1).isBetween(355, 445);
    assertThat(reviewsV3.hits()).isZero();
  }

  @Test
  void sendsJasonToReviewsV2AndEveryoneElseToV1() throws Exception {
    String yaml = sample("virtual-service-reviews-test-v2.yaml");
    assertThat(yaml).contains("end-user:").contains("exact: jason").contains("subset: v2").contains("subset: v1");
    serve(Xds.vhost("reviews.default.svc.cluster.local:9080", domains("reviews", REVIEWS),
        Xds.route(jason(), cluster("v2", REVIEWS)), Xds.route(Xds.prefix("/"), cluster("v1", REVIEWS))));

    for (int i = 0; i < 20; i++) {
      assertThat(backendOf("reviews:9080", "/reviews/0", "end-user", "jason")).isEqualTo("reviews-v2");
      assertThat(backendOf("reviews:9080", "/reviews/0", "end-user", "alice")).isEqualTo("reviews-v1");
      assertThat(backendOf("reviews:9080", "/reviews/0")).isEqualTo("reviews-v1");
    }
  }

  @Test
  void abortsRatingsForJasonWithTheSamplesStatus() throws Exception {
    String yaml = sample("virtual-service-ratings-test-abort.yaml");
    int status = Integer.parseInt(find(yaml, "httpStatus: (\\d+)"));
    double percent = Double.parseDouble(find(yaml, "value: ([0-9.]+)"));
    HTTPFault abort = HTTPFault.newBuilder().setAbort(FaultAbort.newBuilder().setHttpStatus(status)
        .setPercentage(FractionalPercent.newBuilder().setNumerator((int) Math.round(percent * 10_000))
            .setDenominator(FractionalPercent.DenominatorType.MILLION))).build();
    serve(Xds.vhost("ratings.default.svc.cluster.local:9080", domains("ratings", RATINGS),
        Xds.route(jason(), cluster("v1", RATINGS)).toBuilder()
            .putTypedPerFilterConfig("envoy.filters.http.fault", Any.pack(abort)).build(),
        Xds.route(Xds.prefix("/"), cluster("v1", RATINGS))));

    Http.Response aborted = http.get(port("0.0.0.0_8080"), "ratings:9080", "/ratings/0", "end-user", "jason");
    assertThat(aborted.status()).isEqualTo(500);
    assertThat(aborted.header("x-meshfed-flags")).isEqualTo("FI");
    assertThat(backendOf("ratings:9080", "/ratings/0", "end-user", "alice")).isEqualTo("ratings-v1");
    assertThat(ratingsV1.hits()).isEqualTo(1);
  }

  @Test
  void delaysRatingsForJason() throws Exception {
    String yaml = sample("virtual-service-ratings-test-delay.yaml");
    long delayMillis = Long.parseLong(find(yaml, "fixedDelay: (\\d+)s")) * 100;
    HTTPFault delay = HTTPFault.newBuilder().setDelay(FaultDelay.newBuilder().setFixedDelay(Xds.millis(delayMillis))
        .setPercentage(FractionalPercent.newBuilder().setNumerator(100))).build();
    serve(Xds.vhost("ratings.default.svc.cluster.local:9080", domains("ratings", RATINGS),
        Xds.route(jason(), cluster("v1", RATINGS)).toBuilder()
            .putTypedPerFilterConfig("envoy.filters.http.fault", Any.pack(delay)).build(),
        Xds.route(Xds.prefix("/"), cluster("v1", RATINGS))));

    long start = System.nanoTime();
    Http.Response delayed = http.get(port("0.0.0.0_8080"), "ratings:9080", "/ratings/0", "end-user", "jason");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(delayMillis));
    assertThat(delayed.status()).isEqualTo(200);
    assertThat(delayed.header("x-meshfed-flags")).isEqualTo("DI");
    start = System.nanoTime();
    assertThat(backendOf("ratings:9080", "/ratings/0")).isEqualTo("ratings-v1");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(delayMillis));
  }

  private static String find(String text, String regex) {
    Matcher matcher = Pattern.compile(regex).matcher(text);
    assertThat(matcher.find()).as("%s in the sample", regex).isTrue();
    return matcher.group(1);
  }
}
