package io.meshfed.gateway.l7.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.gateway.l7.EngineTestBase;
import io.meshfed.gateway.l7.config.XdsResources;
import io.meshfed.gateway.l7.testing.Backend;
import io.meshfed.gateway.l7.testing.Xds;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Interoperability with the clients operators use: curl (HTTP/1.1 and h2c prior knowledge) and h2load. Skipped,
 * with the reason, where the tools are not installed (.ci/install-tools installs them).
 */
class CommandLineClientsTest extends EngineTestBase {

  private int port;

  @BeforeEach
  void serve() throws Exception {
    Backend backend = backend("b");
    apply(XdsResources.builder().listener(Xds.httpListener("l", "r")).route(Xds.catchAll("r", "c"))
        .cluster(Xds.staticCluster("c", "127.0.0.1", backend.port())).build());
    port = port("l");
  }

  private static boolean installed(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (new java.io.File(dir, tool).canExecute()) {
        return true;
      }
    }
    return false;
  }

  private static String run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("timed out: " + String.join(" ", command));
    }
    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  @Test
  void curlSpeaksHttp11AndH2cPriorKnowledge() throws Exception {
    Assumptions.assumeTrue(installed("curl"), "curl is not installed");
    String url = "http://127.0.0.1:" + port + "/hello";

    assertThat(run("curl", "-s", "--http1.1", "-o", "/dev/null", "-w", "%{http_code} %{http_version}", url))
        .isEqualTo("200 1.1");
    assertThat(run("curl", "-s", "--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_code} %{http_version}",
        url)).isEqualTo("200 2");
    assertThat(run("curl", "-s", "-H", "Host: bookinfo.com", url)).contains("\"backend\":\"b\"");
  }

  @Test
  void h2loadCompletesEveryRequest() throws Exception {
    Assumptions.assumeTrue(installed("h2load"), "h2load is not installed");
    List<String> command = new ArrayList<>(List.of("h2load", "-n", "400", "-c", "4", "-m", "8",
        "http://127.0.0.1:" + port + "/"));

    String report = run(command.toArray(new String[0]));

    assertThat(report).contains("400 succeeded, 0 failed, 0 errored, 0 timeout").contains("400 2xx");
  }
}
