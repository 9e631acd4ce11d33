package io.meshfed.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.demo.Demo;
import io.meshfed.demo.DemoCluster;
import io.meshfed.demo.DemoSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Certificates rotate during traffic: the demo in this JVM (east 127.0.121.x, west 127.0.122.x) with a 30 s
 * workload certificate lifetime, so every gateway renews its SVID about every 15 s (half life). A steady stream of
 * cross-cluster requests (east's ingress, mTLS with its SVID, to west's east-west gateway, to west's ratings) runs
 * across at least one renewal of each gateway: no request fails, each gateway counts a renewal, and the
 * certificate west's :15443 serves to a new handshake is a new one.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class CertRotationEndToEndTest {

  private static final Logger LOG = LoggerFactory.getLogger(CertRotationEndToEndTest.class);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final Pattern ROTATIONS_OK =
      Pattern.compile("(?m)^meshfed_svid_rotations_total\\{[^}]*result=\"ok\"[^}]*\\} ([0-9.]+)");
  private static final String SNI = "outbound_.9080_._.ratings.default.svc.cluster.local";

  @TempDir
  Path dir;
  Demo demo;

  @AfterEach
  void stop() {
    if (demo != null) {
      assertThat(demo.stop()).as("steps that did not stop").isEmpty();
    }
  }

  @Test
  void gatewaysRenewTheirSvidsWhileRequestsCrossClustersAndNoneFails() throws Exception {
    demo = Demo.create(DemoSettings.builder(dir).firstSubnet(121).ingressPort(18121)
        .workloadCertTtl(Duration.ofSeconds(30)).build(), LOG::info);
    demo.start("test");
    DemoCluster east = demo.clusters().get(0);
    DemoCluster west = demo.clusters().get(1);
    Map<String, String> gateways = new LinkedHashMap<>();
    gateways.put("east ingress", "http://" + east.ingressHost() + ":" + DemoCluster.GATEWAY_ADMIN_PORT);
    gateways.put("east east-west", "http://" + east.eastWestHost() + ":" + DemoCluster.GATEWAY_ADMIN_PORT);
    gateways.put("west ingress", "http://" + west.ingressHost() + ":" + DemoCluster.GATEWAY_ADMIN_PORT);
    gateways.put("west east-west", "http://" + west.eastWestHost() + ":" + DemoCluster.GATEWAY_ADMIN_PORT);
    Map<String, Double> before = new LinkedHashMap<>();
    for (Map.Entry<String, String> gateway : gateways.entrySet()) {
      before.put(gateway.getKey(), rotations(gateway.getValue()));
    }
    InetSocketAddress westEastWest = new InetSocketAddress(west.eastWestHost(), DemoCluster.EASTWEST_PORT);
    X509Certificate servedFirst = MeshClient.serverLeaf(westEastWest, SNI);

    // The steady stream: one request at a time through east's ingress to west's ratings.
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    Thread stream = new Thread(() -> {
      while (running.get()) {
        String outcome = call(east.ingressUrl() + "/ratings");
        if (outcome.equals("west/ratings/v1")) {
          ok.incrementAndGet();
        } else {
          failures.add(outcome);
        }
      }
    }, "cert-rotation-stream");
    stream.start();
    try {
      // Every gateway renews at about half of 30 s; wait (bounded) until each has renewed at least once.
      long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
      Map<String, Double> renewed = new LinkedHashMap<>();
      while (renewed.size() < gateways.size() && System.nanoTime() < deadline) {
        for (Map.Entry<String, String> gateway : gateways.entrySet()) {
          if (rotations(gateway.getValue()) > before.get(gateway.getKey())) {
            renewed.putIfAbsent(gateway.getKey(), rotations(gateway.getValue()));
          }
        }
        Thread.sleep(250);
      }
      assertThat(renewed.keySet()).as("gateways that renewed their SVID within 45 s (before: %s)", before)
          .containsExactlyInAnyOrderElementsOf(gateways.keySet());
      // Keep the stream going a little after the last renewal, so requests also use the new certificates.
      int okAtRenewal = ok.get();
      long after = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (ok.get() < okAtRenewal + 20 && System.nanoTime() < after) {
        Thread.sleep(100);
      }
      assertThat(ok.get()).as("requests answered after the last renewal").isGreaterThanOrEqualTo(okAtRenewal + 20);
    } finally {
      running.set(false);
      stream.join(10_000);
    }
    X509Certificate servedLast = MeshClient.serverLeaf(westEastWest, SNI);
    LOG.info("cross-cluster requests: {} ok, {} failed; west :15443 served serial {} then {}", ok.get(),
        failures.size(), servedFirst.getSerialNumber(), servedLast.getSerialNumber());
    assertThat(failures).as("failed requests while certificates rotated").isEmpty();
    assertThat(ok.get()).isGreaterThan(50);
    assertThat(servedLast.getSerialNumber()).isNotEqualTo(servedFirst.getSerialNumber());
    assertThat(servedLast.getNotAfter()).isAfter(servedFirst.getNotAfter());
    assertThat(servedLast.getSubjectAlternativeNames())
        .containsExactlyElementsOf(servedFirst.getSubjectAlternativeNames());
  }

  /** {@code west/ratings/v1} for a 200, else what went wrong (status and response flags, or the exception). */
  private static String call(String url) {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? response.headers().firstValue("x-meshfed-served-by").orElse("?")
          : "HTTP " + response.statusCode() + " " + response.headers().firstValue("x-meshfed-flags").orElse("")
              + " " + response.body();
    } catch (IOException e) {
      return e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e.toString();
    }
  }

  /** The count of successful SVID renewals a gateway's admin reports. */
  private static double rotations(String admin) throws Exception {
    String stats = HTTP.send(HttpRequest.newBuilder(URI.create(admin + "/stats?format=prometheus"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    Matcher matcher = ROTATIONS_OK.matcher(stats);
    assertThat(matcher.find()).as("meshfed_svid_rotations_total{result=\"ok\"} in %s/stats", admin).isTrue();
    return Double.parseDouble(matcher.group(1));
  }
}
