package io.meshfed.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/local-federation.md as written: {@code meshfed demo --files-only}, then every role as its own process from
 * those files (sample backends, two control planes, four gateways; east on 127.0.81.x, west on 127.0.82.x), and the
 * cross-cluster call through east's ingress answers from west.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class LocalFederationTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir
  Path dir;
  final List<LauncherProcess> processes = new ArrayList<>();

  @AfterEach
  void stopAll() throws InterruptedException {
    for (LauncherProcess process : reversed(processes)) {
      process.close();
    }
  }

  private String logs() {
    return processes.stream().map(LauncherProcess::describe).collect(Collectors.joining("\n"));
  }

  @Test
  void theDemosFilesRunAsSeparateProcesses() throws Exception {
    Path fed = dir.resolve("fed");
    Path logs = dir.resolve("logs");
    String[] topology = {"--dir", fed.toString(), "--first-subnet", "81", "--ingress-port", "18082"};
    LauncherProcess files = LauncherProcess.start(logs, "files", concat(new String[] {"demo", "--files-only"},
        topology));
    assertThat(files.waitFor(Duration.ofSeconds(60))).as("demo --files-only\n%s", files.describe()).isZero();

    processes.add(LauncherProcess.start(logs, "backends", concat(new String[] {"demo", "--backends-only"},
        topology)));
    for (String cluster : List.of("east", "west")) {
      processes.add(LauncherProcess.start(logs, "control-plane-" + cluster, "control-plane", "--config",
          fed.resolve(cluster).resolve("control-plane.yaml").toString()));
    }
    // A gateway needs its control plane's CA at start (docs/local-federation.md, step 2): wait for /ready.
    for (String admin : List.of("http://127.0.81.3:15014/ready", "http://127.0.82.3:15014/ready")) {
      awaitReady(admin);
    }
    for (String cluster : List.of("east", "west")) {
      for (String role : List.of("eastwest", "ingress")) {
        processes.add(LauncherProcess.start(logs, role + "-" + cluster, "gateway", "--role", role, "--config",
            fed.resolve(cluster).resolve(role + "-gateway.yaml").toString()));
      }
    }

    String served = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(100).toNanos();
    while (!"west/ratings/v1".equals(served)) {
      assertThat(System.nanoTime()).as("east's ingress answers /ratings from west within 100 s (last: %s)\n%s",
          served, logs()).isLessThan(deadline);
      assertThat(processes).as("processes still running\n%s", logs()).allMatch(LauncherProcess::alive);
      Thread.sleep(500);
      served = servedBy("http://127.0.81.1:18082/ratings");
    }
    assertThat(servedBy("http://127.0.82.1:18082/ratings")).isEqualTo("west/ratings/v1");

    for (LauncherProcess process : reversed(processes)) {
      assertThat(process.stop(Duration.ofSeconds(30))).as("exit after SIGTERM\n%s", process.describe())
          .isIn(0, 143);
    }
  }

  private static String servedBy(String url) throws InterruptedException {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? response.headers().firstValue("x-meshfed-served-by").orElse("?")
          : "HTTP " + response.statusCode() + " " + response.headers().firstValue("x-meshfed-flags").orElse("");
    } catch (IOException e) {
      return e.toString();
    }
  }

  private void awaitReady(String url) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try {
        if (HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // Not listening yet.
      }
      assertThat(System.nanoTime()).as("%s answers 200 within 60 s\n%s", url, logs()).isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  private static List<LauncherProcess> reversed(List<LauncherProcess> list) {
    List<LauncherProcess> out = new ArrayList<>(list);
    java.util.Collections.reverse(out);
    return out;
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
