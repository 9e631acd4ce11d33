package io.meshfed.control.plane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.meshfed.control.plane.istio.IstioSamples;
import io.meshfed.it.kube.MockKubernetesCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AnalyzeCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @TempDir
  Path dir;

  private int run(String... args) {
    CommandLine commandLine = new CommandLine(new AnalyzeCommand());
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }

  private static String sample(String relative) {
    return IstioSamples.file(relative).toString();
  }

  @Test
  void cleanSamplesExitZero() {
    int code = run("-f", sample("bookinfo/bookinfo.yaml"), "-f", sample("bookinfo/networking/bookinfo-gateway.yaml"),
        "-f", sample("bookinfo/networking/destination-rule-reviews.yaml"));
    assertThat(code).as(out + "" + err).isZero();
    assertThat(out.toString()).contains("No validation issues found");
  }

  @Test
  void errorsExitSeventyNineWithCodeLocationAndFix() throws Exception {
    Path file = dir.resolve("routes.yaml");
    Files.writeString(file, """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews}
        spec:
          hosts: [reviews]
          http:
          - route:
            - destination: {host: reviews, subset: v9}
        """);
    int code = run("-f", sample("bookinfo/bookinfo.yaml"), "-f", sample("bookinfo/networking/destination-rule-reviews.yaml"),
        "-f", file.toString());
    assertThat(code).isEqualTo(AnalyzeCommand.EXIT_FOUND_ISSUES);
    assertThat(out.toString())
        .contains("Error [MF0103] (VirtualService default/reviews " + file + ":1:1) "
            + "spec.http[0].route[0].destination.subset: subset \"v9\" of reviews.default.svc.cluster.local is not defined")
        .contains("    Fix: define the subset");
  }

  @Test
  void thresholdsFilterOutputAndDecideTheExitCode() throws Exception {
    Path file = dir.resolve("svc.yaml");
    Files.writeString(file, """
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec: {ports: [{name: web, port: 80}]}
        """);
    assertThat(run("-f", file.toString())).isZero(); // a warning only; failure threshold Error
    assertThat(out.toString()).contains("Warning [MF0109]");
    out.getBuffer().setLength(0);
    assertThat(run("-f", file.toString(), "--failure-threshold", "Warning")).isEqualTo(79);
    out.getBuffer().setLength(0);
    assertThat(run("-f", file.toString(), "--output-threshold", "Error")).isZero();
    assertThat(out.toString()).doesNotContain("MF0109").contains("1 below the output threshold not shown");
  }

  @Test
  void jsonOutputCarriesEveryField() throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw}\nspec:\n  servers: 3\n");
    assertThat(run("-f", file.toString(), "-o", "json")).isEqualTo(79);
    JsonNode json = new ObjectMapper().readTree(out.toString());
    assertThat(json).hasSize(1);
    JsonNode message = json.get(0);
    assertThat(message.get("code").asText()).isEqualTo("MF0005");
    assertThat(message.get("level").asText()).isEqualTo("Error");
    assertThat(message.get("kind").asText()).isEqualTo("Gateway");
    assertThat(message.get("name").asText()).isEqualTo("gw");
    assertThat(message.get("line").asInt()).isEqualTo(5);
    assertThat(message.get("field").asText()).isEqualTo("spec.servers");
    assertThat(message.get("fix").asText()).isNotBlank();
  }

  @Test
  void invalidYamlIsAFindingWithLineAndColumn() throws Exception {
    Path file = dir.resolve("broken.yaml");
    Files.writeString(file, "apiVersion: v1\nkind: [Service\n");
    assertThat(run("-f", dir.toString())).isEqualTo(79);
    assertThat(out.toString()).contains("Error [MF0001] (" + file + ":");
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString()).contains("nothing to analyze");
    assertThat(run("-f", dir.resolve("absent").toString())).isEqualTo(2);
    assertThat(run("--cluster", "east")).isEqualTo(2);
    assertThat(run("--cluster", "east=" + dir, "-f", dir.toString())).isEqualTo(2);
    assertThat(run("-f", dir.toString(), "--output-threshold", "loud")).isEqualTo(2);
  }

  @Test
  void listCodesPrintsTheCatalogue() {
    assertThat(run("--list-codes")).isZero();
    assertThat(out.toString()).contains("MF0001", "MF0115", "ReferencedHostNotFound");
  }

  @Test
  void severalClustersRunTheFederationChecks() throws Exception {
    Path east = Files.createDirectories(dir.resolve("east"));
    Path west = Files.createDirectories(dir.resolve("west"));
    String export = "apiVersion: multicluster.x-k8s.io/v1alpha1\nkind: ServiceExport\nmetadata: {name: reviews}\n";
    Files.writeString(east.resolve("reviews.yaml"), export + """
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: reviews}
        spec: {ports: [{name: http, port: 9080}]}
        """);
    Files.writeString(west.resolve("reviews.yaml"), export + """
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: reviews}
        spec: {ports: [{name: http, port: 9080, protocol: UDP}]}
        """);
    assertThat(run("--cluster", "east=" + east, "--cluster", "west=" + west)).isEqualTo(79);
    assertThat(out.toString()).contains("Error [MF0114] (cluster west Service default/reviews");
  }

  @Test
  void liveClusterIsReadThroughTheKubeconfig() throws Exception {
    try (MockKubernetesCluster cluster = MockKubernetesCluster.start("east")) {
      cluster.client().services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata()
          .withName("reviews").endMetadata().withNewSpec().addNewPort().withName("http").withPort(9080).endPort()
          .endSpec().build()).create();
      ResourceDefinitionContext virtualServices = new ResourceDefinitionContext.Builder()
          .withGroup("networking.istio.io").withVersion("v1").withKind("VirtualService")
          .withPlural("virtualservices").withNamespaced(true).build();
      cluster.client().genericKubernetesResources(virtualServices).inNamespace("default").resource(
          Serialization.unmarshal("""
              apiVersion: networking.istio.io/v1
              kind: VirtualService
              metadata: {name: reviews, namespace: default}
              spec: {hosts: [reviews], http: [{route: [{destination: {host: ratings}}]}]}
              """, GenericKubernetesResource.class)).create();
      Path kubeconfig = dir.resolve("kubeconfig");
      Files.writeString(kubeconfig, cluster.kubeconfig());

      assertThat(run("--kube", "--kubeconfig", kubeconfig.toString())).isEqualTo(79);
      assertThat(out.toString()).contains("Error [MF0101] (VirtualService default/reviews cluster cluster)");

      // A file fixing the route replaces the cluster's VirtualService of the same name.
      out.getBuffer().setLength(0);
      Path fix = dir.resolve("fix.yaml");
      Files.writeString(fix, """
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: {name: reviews}
          spec: {hosts: [reviews], http: [{route: [{destination: {host: reviews}}]}]}
          """);
      assertThat(run("--kube", "--kubeconfig", kubeconfig.toString(), "-f", fix.toString())).as(out.toString())
          .isZero();

      out.getBuffer().setLength(0);
      assertThat(run("--cluster", "east=kube:east", "--cluster", "west=" + dir.resolve("fix.yaml"),
          "--kubeconfig", kubeconfig.toString())).isEqualTo(79);
      assertThat(out.toString()).contains("(cluster east VirtualService default/reviews cluster east)");
    }
  }

  @Test
  void unreachableClusterFailsWithExitOne() throws Exception {
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters: [{name: gone, cluster: {server: "http://127.0.0.1:1"}}]
        contexts: [{name: gone, context: {cluster: gone, user: u}}]
        current-context: gone
        users: [{name: u, user: {token: t}}]
        """);
    assertThat(run("--kube", "--kubeconfig", kubeconfig.toString())).isEqualTo(1);
    assertThat(err.toString()).contains("the analysis could not run");
  }
}
