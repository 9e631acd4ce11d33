package io.meshfed.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.launcher.Meshfed;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The YAML the demo generates is valid Istio config: `meshfed analyze` over both clusters finds no error. */
class IstioConfigTest {

  @TempDir
  Path dir;

  @Test
  void generatedConfigOfBothClustersPassesTheAnalyzer() throws Exception {
    List<DemoCluster> clusters = DemoSettings.builder(dir).build().topology();
    for (DemoCluster cluster : clusters) {
      IstioConfig.write(dir.resolve(cluster.name()), cluster, clusters);
    }
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine line = Meshfed.commandLine();
    line.setOut(new PrintWriter(out, true));
    line.setErr(new PrintWriter(err, true));
    int exit = line.execute("analyze", "--failure-threshold", "Warning", "--cluster", "east=" + dir.resolve("east"),
        "--cluster", "west=" + dir.resolve("west"));

    assertThat(exit).as("analyze: %s%s", out, err).isZero();
  }

  @Test
  void theWeightedRouteSplitsReviewsBetweenV1AndV2() throws Exception {
    DemoCluster east = DemoSettings.builder(dir).build().topology().get(0);
    String routing = IstioConfig.routing(east);
    assertThat(routing).contains("subset: v1, port: {number: 9080}}, weight: 75")
        .contains("subset: v2, port: {number: 9080}}, weight: 25")
        .contains("host: ratings.default.svc.cluster.local");
    IstioConfig.write(dir, east, List.of(east));
    assertThat(Files.readString(dir.resolve("reviews.yaml"))).contains("podIP: 127.0.1.10", "podIP: 127.0.1.11",
        "kind: ServiceExport");
    assertThat(Files.readString(dir.resolve("gateways.yaml"))).contains("externalIPs: [127.0.1.2]",
        "topology.istio.io/network: network-east");
  }
}
