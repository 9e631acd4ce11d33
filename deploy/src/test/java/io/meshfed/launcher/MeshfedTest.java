package io.meshfed.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MeshfedTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine commandLine = Meshfed.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }

  @Test
  void helpListsEveryRoleAndTool() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains(
        "demo", "control-plane", "gateway", "ca", "create-remote-secret", "analyze", "proxy-status",
        "proxy-config", "explain", "version");
  }

  @Test
  void noArgumentsPrintsUsage() {
    assertThat(run()).isZero();
    assertThat(out.toString()).startsWith("Usage: meshfed");
  }

  @Test
  void versionComesFromTheBuild() {
    assertThat(run("version")).isZero();
    assertThat(out.toString())
        .contains("meshfed " + BuildInfo.version())
        .contains("Vert.x 5.0.")
        .contains("Netty 4.2.");
    assertThat(BuildInfo.version()).isNotEqualTo("unknown");
  }

  @Test
  void unbuiltCapabilitySaysSoInOneLineAndExitsUnavailable() {
    assertThat(run("explain")).isEqualTo(NotBuiltYet.EXIT_CODE);
    assertThat(err.toString().lines()).singleElement()
        .asString().startsWith("meshfed explain: not built yet");
  }

  @Test
  void analyzeIsTheRealCommand() {
    assertThat(run("analyze", "--list-codes")).isZero();
    assertThat(out.toString()).contains("MF0101").contains("ReferencedHostNotFound");
    assertThat(run("analyze")).isEqualTo(2);
    assertThat(err.toString()).contains("nothing to analyze");
  }

  @Test
  void gatewayRequiresAKnownRole() {
    assertThat(run("gateway", "--role", "sidecar")).isEqualTo(2);
    assertThat(err.toString()).contains("eastwest, ingress, egress");
  }
}
