package io.meshfed.it.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos tier (issue 8): east and west each in their own network namespace, joined by one veth link (see
 * {@link PartitionedFederation}); the link is cut and restored under load, and delayed with {@code tc netem} where the
 * kernel has it. Needs root and iproute2; skipped, with the reason, otherwise (docs/development.md, "Chaos tier").
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PartitionChaosTest {

  /**
   * When east withdraws a silent west: Hazelcast drops the unreachable member ({@link
   * PartitionedFederation#MEMBER_TIMEOUT}), then lease (15 s) + grace ({@link PartitionedFederation#LEASE_GRACE}),
   * plus the view's check interval and this machine's slowness.
   */
  private static final Duration WITHDRAWN_WITHIN = Duration.ofSeconds(75);
  private static final Duration REJOINED_WITHIN = Duration.ofSeconds(90);
  /** From the control plane's view to the gateway's: debounce (100 ms to 10 s) plus the push. */
  private static final Duration PUSHED_WITHIN = Duration.ofSeconds(15);
  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(20);

  // Static: JUnit injects instance @TempDir fields after @BeforeAll even with a per-class lifecycle.
  @TempDir
  static Path dir;
  private NetworkNamespaces net;
  private PartitionedFederation federation;

  @BeforeAll
  void startFederation() throws Exception {
    Optional<String> unavailable = NetworkNamespaces.unavailable();
    assumeTrue(unavailable.isEmpty(), () -> "chaos tier skipped: " + unavailable.get());
    net = NetworkNamespaces.create();
    federation = PartitionedFederation.start(net, dir);
  }

  @AfterAll
  void removeEverything() throws InterruptedException {
    try {
      if (federation != null) {
        federation.close();
      }
    } finally {
      if (net != null) {
        net.close();
      }
    }
  }

  @Test
  @Order(1)
  void cutLinkFailsOverWithdrawsTheSilentClusterAndRecoversWithNothingLost() throws Exception {
    // Baseline: east's ingress reaches west's east-west gateway through the link, and balances reviews over both.
    assertThat(Probe.get(federation.eastIngress("/ratings"), CLIENT_TIMEOUT).servedBy()).isEqualTo("west/ratings/v1");
    assertThat(PartitionedFederation.health(federation.eastAdmin(""), "west")).isEqualTo("LIVE");
    assertThat(servedBy(federation.eastIngress("/reviews"), 40)).as("reviews through east's ingress")
        .containsKeys("east", "west");

    RequestLoop reviews = RequestLoop.start(federation.eastIngress("/reviews"), 2, CLIENT_TIMEOUT);
    try {
      awaitServedBy(reviews, "west", Duration.ofSeconds(20));

      federation.cut();
      long cutAt = System.nanoTime();
      List<String> ratingsDuringCut = new ArrayList<>();
      int clusterzUnanswered = 0;
      String health;
      while (true) {
        health = PartitionedFederation.health(federation.eastAdmin(""), "west");
        clusterzUnanswered += health.startsWith("clusterz:") ? 1 : 0;
        if (health.equals("WITHDRAWN") || health.equals("absent")) {
          break;
        }
        assertThat(elapsed(cutAt)).as("east withdraws west within %s s of the cut (last: %s)\n%s",
            WITHDRAWN_WITHIN.toSeconds(), health, federation.logs()).isLessThan(WITHDRAWN_WITHIN);
        // West-only ratings: a clean, flagged error while west is unreachable, never a hang or a wrong 200.
        Probe.Answer ratings = Probe.get(federation.eastIngress("/ratings"), CLIENT_TIMEOUT);
        ratingsDuringCut.add(ratings + " at " + elapsed(cutAt).toMillis() + " ms");
        assertThat(ratings.status()).as("/ratings during the cut: %s", ratingsDuringCut).isIn(503, 504);
        assertThat(ratings.flags()).as("/ratings during the cut: %s", ratingsDuringCut).isNotEmpty();
        // Bounded by the route's timeout (3 s), never a hang.
        assertThat(ratings.millis()).as("/ratings during the cut: %s", ratingsDuringCut).isLessThan(6_000);
        Thread.sleep(500);
      }
      Duration withdrawnAfter = elapsed(cutAt);
      // The federation view must stay readable while a peer is unreachable: it is what an operator looks at then.
      assertThat(clusterzUnanswered).as("east's /debug/clusterz probes unanswered during the cut").isZero();

      // Withdrawn: once the control plane's push has reached the ingress (debounce, then EDS), no endpoint is left
      // for ratings (NC), and reviews come only from east's own pods.
      long withdrawnAt = System.nanoTime();
      Probe.Answer ratings = Probe.get(federation.eastIngress("/ratings"), CLIENT_TIMEOUT);
      while (!(ratings.status() == 503 && ratings.flags().contains("NC"))) {
        assertThat(elapsed(withdrawnAt)).as("/ratings answers 503 NC within %s s of the withdrawal (last: %s)",
            PUSHED_WITHIN.toSeconds(), ratings).isLessThan(PUSHED_WITHIN);
        Thread.sleep(250);
        ratings = Probe.get(federation.eastIngress("/ratings"), CLIENT_TIMEOUT);
      }
      long westBefore = reviews.servedByCluster().getOrDefault("west", 0L);
      Thread.sleep(2_000);
      assertThat(reviews.servedByCluster().getOrDefault("west", 0L)).as("reviews served by west after the withdrawal")
          .isEqualTo(westBefore);
      // West's side of the partition sees the same: east withdrawn, its ingress serves reviews from west alone.
      awaitHealth(federation.westAdmin(""), "east", "WITHDRAWN", Duration.ofSeconds(30));
      assertThat(servedBy(federation.westIngress("/reviews"), 20)).as("reviews through west's ingress during the cut")
          .containsOnlyKeys("west");

      federation.restore();
      long restoredAt = System.nanoTime();
      Probe.Answer crossCluster;
      do {
        assertThat(elapsed(restoredAt)).as("west serves ratings through east's ingress within %s s of the restore "
            + "(last: %s)\n%s", REJOINED_WITHIN.toSeconds(), ratings, federation.logs()).isLessThan(REJOINED_WITHIN);
        Thread.sleep(500);
        crossCluster = Probe.get(federation.eastIngress("/ratings"), CLIENT_TIMEOUT);
        ratings = crossCluster;
      } while (!crossCluster.servedBy().equals("west/ratings/v1"));
      Duration rejoinedAfter = elapsed(restoredAt);
      assertThat(PartitionedFederation.health(federation.eastAdmin(""), "west")).isEqualTo("LIVE");
      awaitHealth(federation.westAdmin(""), "east", "LIVE", Duration.ofSeconds(30));
      awaitServedBy(reviews, "west", Duration.ofSeconds(30));
      assertThat(servedBy(federation.westIngress("/reviews"), 40)).as("reviews through west's ingress after the "
          + "restore").containsKeys("east", "west");

      RequestLoop.Summary summary = reviews.stop();
      System.out.printf("chaos: west withdrawn %d s after the cut (clusterz unanswered %d times meanwhile), back "
          + "%d s after the restore; /reviews through east's ingress: %s%n", withdrawnAfter.toSeconds(),
          clusterzUnanswered, rejoinedAfter.toSeconds(), summary);
      // Nothing lost: every request to the service both clusters serve was answered 200 across cut and restore.
      assertThat(summary.failures()).as("failed /reviews requests: %s", summary).isEmpty();
      assertThat(summary.ok()).isEqualTo(summary.sent()).isPositive();
    } finally {
      reviews.close();
      federation.restore();
    }
  }

  @Test
  @Order(2)
  void netemLatencySlowsCrossClusterCallsWithoutFailingThem() throws Exception {
    Optional<String> unavailable = net.netemUnavailable();
    assumeTrue(unavailable.isEmpty(), () -> "latency case skipped: " + unavailable.get());
    int delayMs = 200;
    federation.delay(delayMs);
    try {
      RequestLoop reviews = RequestLoop.start(federation.eastIngress("/reviews"), 2, CLIENT_TIMEOUT);
      try {
        for (int i = 0; i < 5; i++) {
          Probe.Answer ratings = Probe.get(federation.eastIngress("/ratings"), CLIENT_TIMEOUT);
          assertThat(ratings.servedBy()).as("%s", ratings).isEqualTo("west/ratings/v1");
          // At least one round trip over the delayed link: east -> west is delayed, west -> east is not.
          assertThat(ratings.millis()).as("%s", ratings).isGreaterThanOrEqualTo(delayMs);
        }
        // Longer than a lease (15 s): heartbeats still cross the slow link, west stays LIVE.
        long start = System.nanoTime();
        while (elapsed(start).toSeconds() < 20) {
          assertThat(PartitionedFederation.health(federation.eastAdmin(""), "west")).isEqualTo("LIVE");
          Thread.sleep(2_000);
        }
      } finally {
        RequestLoop.Summary summary = reviews.stop();
        System.out.printf("chaos: %d ms netem delay; /reviews through east's ingress: %s%n", delayMs, summary);
        assertThat(summary.failures()).as("failed /reviews requests: %s", summary).isEmpty();
      }
    } finally {
      federation.undelay();
    }
    long fastest = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      fastest = Math.min(fastest, Probe.get(federation.eastIngress("/ratings"), CLIENT_TIMEOUT).millis());
    }
    assertThat(fastest).as("fastest /ratings after the delay is removed").isLessThan(delayMs);
  }

  private static Map<String, Long> servedBy(String url, int requests) {
    Map<String, Long> out = new java.util.TreeMap<>();
    for (int i = 0; i < requests; i++) {
      Probe.Answer answer = Probe.get(url, CLIENT_TIMEOUT);
      assertThat(answer.status()).as("%s: %s", url, answer).isEqualTo(200);
      out.merge(answer.cluster(), 1L, Long::sum);
    }
    return out;
  }

  private void awaitServedBy(RequestLoop loop, String cluster, Duration within) throws InterruptedException {
    long before = loop.servedByCluster().getOrDefault(cluster, 0L);
    long start = System.nanoTime();
    while (loop.servedByCluster().getOrDefault(cluster, 0L) <= before) {
      assertThat(elapsed(start)).as("the load loop gets answers from %s within %s s (%s)", cluster,
          within.toSeconds(), loop.servedByCluster()).isLessThan(within);
      Thread.sleep(200);
    }
  }

  private void awaitHealth(String admin, String cluster, String expected, Duration within) throws InterruptedException {
    long start = System.nanoTime();
    String health;
    while (!(health = PartitionedFederation.health(admin, cluster)).equals(expected)) {
      assertThat(elapsed(start)).as("%s sees %s %s within %s s (last: %s)\n%s", admin, cluster, expected,
          within.toSeconds(), health, federation.logs()).isLessThan(within);
      Thread.sleep(500);
    }
  }

  private static Duration elapsed(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }
}
