package io.meshfed.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.demo.Demo;
import io.meshfed.demo.DemoSettings;
import io.meshfed.demo.SampleWorkload;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo in this JVM (east on 127.0.51.x, west on 127.0.52.x), disturbed while traffic flows: a control plane
 * restarts and its gateways keep serving; reviews runs in both clusters, and when west's reviews backends die both
 * ingresses are served by east's (west's through east's east-west gateway); when west's control plane leaves, east
 * serves west's exports while their lease and grace run, then withdraws them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 110, unit = TimeUnit.SECONDS)
class DemoResilienceTest {

  private static final Logger LOG = LoggerFactory.getLogger(DemoResilienceTest.class);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir
  static Path dir;
  static Demo demo;
  static String eastIngress;
  static String westIngress;

  @BeforeAll
  static void startDemo() throws Exception {
    demo = Demo.create(DemoSettings.builder(dir).firstSubnet(51).ingressPort(18081).build(), LOG::info);
    demo.start("test");
    eastIngress = demo.clusters().get(0).ingressUrl();
    westIngress = demo.clusters().get(1).ingressUrl();
  }

  @AfterAll
  static void stopDemo() {
    if (demo != null) {
      assertThat(demo.stop()).as("steps that did not stop").isEmpty();
    }
  }

  private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Who served one request ({@code HTTP <status> <flags>} when it failed, the exception when there was none). */
  private static String servedBy(String url) throws InterruptedException {
    try {
      HttpResponse<String> response = get(url);
      return response.statusCode() == 200 ? response.headers().firstValue("x-meshfed-served-by").orElse("?")
          : "HTTP " + response.statusCode() + " " + response.headers().firstValue("x-meshfed-flags").orElse("");
    } catch (IOException e) {
      return e.toString();
    }
  }

  private static List<String> servedBy(String url, int count) throws InterruptedException {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(servedBy(url));
    }
    return out;
  }

  @Test
  @Order(1)
  void gatewaysKeepServingWhileTheirControlPlaneRestarts() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger served = new AtomicInteger();
    ConcurrentMap<String, Integer> failures = new ConcurrentHashMap<>();
    CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
      try {
        while (running.get()) {
          String answer = servedBy(eastIngress + "/ratings");
          if (answer.equals("west/ratings/v1")) {
            served.incrementAndGet();
          } else {
            failures.merge(answer, 1, Integer::sum);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    int before = served.get();
    demo.restartControlPlane("east");
    // The restarted control plane serves its gateways again: they reconnect and ACK its snapshots.
    String admin = demo.clusters().get(0).adminUrl();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!get(admin + "/debug/syncz").body().contains("meshfed-ingressgateway")) {
      assertThat(System.nanoTime()).as("east's ingress gateway reconnected within 30 s").isLessThan(deadline);
      Thread.sleep(200);
    }
    Thread.sleep(500);
    running.set(false);
    load.get(10, TimeUnit.SECONDS);
    assertThat(failures).as("requests through east's ingress that failed during the restart").isEmpty();
    assertThat(served.get() - before).as("requests served during the restart").isGreaterThan(20);
    assertThat(servedBy(eastIngress + "/ratings")).isEqualTo("west/ratings/v1");
  }

  @Test
  @Order(2)
  void whenWestsReviewsDieBothIngressesAreServedByEastsReviews() throws Exception {
    assertThat(servedBy(eastIngress + "/reviews", 20)).allMatch(s -> s.matches("(east|west)/reviews/v[12]"));

    List<SampleWorkload> stopped = demo.stopWorkloads("west", "reviews");
    assertThat(stopped).extracting(SampleWorkload::servedBy).containsExactly("west/reviews/v1", "west/reviews/v2");

    // Retries (Istio's default: connect failures and 503, another host each time) carry every request to a live
    // endpoint: from east's ingress its local pods, from west's ingress east's pods through east's gateway.
    assertThat(servedBy(eastIngress + "/reviews", 30)).as("east's ingress after west's reviews died")
        .allMatch(s -> s.startsWith("east/reviews/"));
    assertThat(servedBy(westIngress + "/reviews", 30)).as("west's ingress after west's reviews died")
        .allMatch(s -> s.startsWith("east/reviews/"));
  }

  @Test
  @Order(3)
  void whenWestLeavesItsExportsAreServedWhileStaleThenWithdrawnAfterTheGrace() throws Exception {
    assertThat(servedBy(eastIngress + "/ratings")).isEqualTo("west/ratings/v1");
    long stoppedAt = System.nanoTime();
    demo.stopControlPlane("west");

    // West's east-west gateway keeps its last configuration, and east keeps west's exports while their lease runs
    // (15 s) and then while stale for the grace (federation.leaseGrace: 20 s in the demo): still served.
    assertThat(servedBy(eastIngress + "/ratings", 10)).allMatch("west/ratings/v1"::equals);

    // Then withdrawn: east's ingress has no endpoint left for ratings.
    String answer = servedBy(eastIngress + "/ratings");
    while (answer.equals("west/ratings/v1")) {
      assertThat(Duration.ofNanos(System.nanoTime() - stoppedAt)).as("west's ratings withdrawn from east")
          .isLessThan(Duration.ofSeconds(75));
      Thread.sleep(500);
      answer = servedBy(eastIngress + "/ratings");
    }
    Duration withdrawnAfter = Duration.ofNanos(System.nanoTime() - stoppedAt);
    LOG.info("west's ratings withdrawn from east after {} ms: {}", withdrawnAfter.toMillis(), answer);
    assertThat(withdrawnAfter).as("withdrawn only after lease + grace").isGreaterThan(Duration.ofSeconds(25));
    assertThat(answer).startsWith("HTTP 5");
    // East's own services are untouched.
    assertThat(servedBy(eastIngress + "/reviews", 5)).allMatch(s -> s.startsWith("east/reviews/"));
  }
}
