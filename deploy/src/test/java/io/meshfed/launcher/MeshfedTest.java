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
  void demoRefusesAClusterCountOutOfRangeNamingTheFlagAndTheRange() {
    assertThat(run("demo", "--clusters", "10")).isEqualTo(2);
    assertThat(err.toString().lines()).singleElement()
        .asString().isEqualTo("meshfed demo: --clusters: 10 (expected: 2..9; a federation needs two clusters, and "
            + "each cluster takes one loopback /24)");
  }

  @Test
  void demoRefusesBadOptionsWithUsageExit() {
    assertThat(run("demo", "--ingress-port", "15443")).isEqualTo(2);
    assertThat(err.toString()).startsWith("meshfed demo: --ingress-port: 15443 (expected: ");
    assertThat(run("demo", "--clusters", "two")).isEqualTo(2);
    assertThat(err.toString()).contains("Invalid value for option '--clusters'");
  }

  @Test
  void demoRefusesFilesOnlyWithBackendsOnlyBeforeDoingAnything() {
    assertThat(run("demo", "--files-only", "--backends-only")).isEqualTo(2);
    assertThat(err.toString()).startsWith("meshfed demo: --files-only and --backends-only: both given");
    assertThat(out.toString()).doesNotContain("writing the files");
  }

  @Test
  void demoHelpNamesItsOptions() {
    assertThat(run("demo", "--help")).isZero();
    assertThat(out.toString()).contains("--clusters=N", "--dir=DIR", "--ingress-port=PORT", "--first-subnet=N",
        "meshfed demo ready: <ingress URL>");
  }

  @Test
  void explainExplainsAFlag() {
    assertThat(run("explain", "UF")).isZero();
    assertThat(out.toString()).startsWith("UF  UpstreamConnectionFailure").contains("mTLS mode mismatch");
    assertThat(run("explain", "UF", "--output", "JSON")).isZero();
  }

  @Test
  void explainWithoutWhereToAskIsAUsageError() {
    assertThat(run("explain", "9f1c4d1e-5a7b-4c2d-8e3f-0a1b2c3d4e5f")).isEqualTo(2);
    assertThat(err.toString()).contains("a request id needs --admin URL or --from FILE");
  }

  @Test
  void caOffersInitIssueAndInspect() {
    assertThat(run("ca", "--help")).isZero();
    assertThat(out.toString()).contains("init", "issue", "inspect");
    assertThat(run("ca", "issue", "--out", "x")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option: '--spiffe-id=ID'");
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

  @Test
  void gatewayHelpListsTheSettingsItOverrides() {
    assertThat(run("gateway", "--role", "ingress", "--help")).isZero();
    assertThat(out.toString()).contains("--cluster-id", "--xds-address", "--ca-cert-file", "--token-file",
        "--listener", "--admin-address", "xds.caCertFile", "Exit codes");
  }

  @Test
  void gatewayWithBadSettingsNamesTheKeyAndExitsUsage() {
    assertThat(run("gateway", "--role", "ingress", "--xds-address", "127.0.0.1:15010")).isEqualTo(2);
    assertThat(err.toString()).contains("clusterId: not set (expected:");
    err.getBuffer().setLength(0);
    assertThat(run("gateway", "--role", "eastwest", "--cluster-id", "west", "--xds-address", "cp:99999"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("command line: xds.address: cp:99999 (expected: host:port");
    err.getBuffer().setLength(0);
    assertThat(run("gateway", "--role", "egress", "--cluster-id", "east", "--xds-address", "cp:15012",
        "--token-file", "/tmp/t")).isEqualTo(2);
    assertThat(err.toString()).contains("xds.tokenFile: set without xds.caCertFile");
  }
}
