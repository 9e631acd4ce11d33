package io.meshfed.it.chaos;

import io.meshfed.it.e2e.LauncherProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The demo's two clusters as separate processes (docs/local-federation.md), each cluster in its own network namespace
 * as if on its own host: east's backends, control plane and gateways in {@code mfchaos-<pid>-east}, west's in
 * {@code -west}. Inside a namespace the processes keep the demo's loopback addresses; what crosses clusters (the
 * east-west gateways' :15443 and the federation relays) uses the one veth link between the namespaces, which the test
 * can cut, restore and delay. Two more veths join the test's own namespace to each cluster's, so the test sends
 * requests to the ingresses and reads the control planes' admin APIs directly.
 *
 * <pre>
 *   test .5 ──veth── .6 east ns .1 ══ cut / restore / delay ══ .2 west ns .10 ──veth── .9 test
 *   (addresses in one 10.x.y.0/24 free on this host; test = this JVM's namespace)
 * </pre>
 */
final class PartitionedFederation implements AutoCloseable {

  /** lease (15 s, the catalog's default) + grace: how long a silent cluster's exports stay. */
  static final Duration LEASE_GRACE = Duration.ofSeconds(5);
  /** federation.memberTimeout: how long an unreachable control plane stays a Hazelcast member. */
  static final Duration MEMBER_TIMEOUT = Duration.ofSeconds(10);
  /** federation.mergeInterval: how often the two sides look for each other once the link is back. */
  static final Duration MERGE_INTERVAL = Duration.ofSeconds(5);
  private static final Duration START = Duration.ofSeconds(120);
  private static final String ROUTE_POLICY = "    timeout: %s\n    retries: {attempts: %d, perTryTimeout: 1s, "
      + "retryOn: \"connect-failure,reset,gateway-error,refused-stream\"}\n";

  private final NetworkNamespaces net;
  private final Path logs;
  private final String subnet;
  private final String east;
  private final String west;
  private final String crossLink;
  private final List<LauncherProcess> processes = new ArrayList<>();

  private PartitionedFederation(NetworkNamespaces net, Path logs) {
    this.net = net;
    this.logs = logs;
    this.subnet = net.freeSubnet();
    this.east = net.namespace("east");
    this.west = net.namespace("west");
    this.crossLink = net.link('x', east, eastLinkAddress(), west, westLinkAddress());
    net.hostLink('e', subnet + "5", east, subnet + "6");
    net.hostLink('w', subnet + "9", west, subnet + "10");
  }

  /** Sets up the namespaces and links, writes and adapts the files, starts every process, waits for traffic. */
  static PartitionedFederation start(NetworkNamespaces net, Path dir) throws IOException, InterruptedException {
    PartitionedFederation federation = new PartitionedFederation(net, dir.resolve("logs"));
    try {
      federation.startProcesses(dir.resolve("fed"));
      return federation;
    } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
      federation.close();
      throw e;
    }
  }

  String eastLinkAddress() {
    return subnet + "1";
  }

  String westLinkAddress() {
    return subnet + "2";
  }

  String eastIngress(String path) {
    return "http://" + subnet + "6:8080" + path;
  }

  String westIngress(String path) {
    return "http://" + subnet + "10:8080" + path;
  }

  String eastAdmin(String path) {
    return "http://" + subnet + "6:15014" + path;
  }

  String westAdmin(String path) {
    return "http://" + subnet + "10:15014" + path;
  }

  /** Cuts the link between the clusters (east's end down: routes gone both ways, west's end loses carrier). */
  void cut() {
    net.setLink(east, crossLink, false);
  }

  void restore() {
    net.setLink(east, crossLink, true);
  }

  /** Delays every packet east sends to west by {@code millis} (tc netem on east's end of the link). */
  void delay(int millis) {
    net.delay(east, crossLink, millis);
  }

  void undelay() {
    net.undelay(east, crossLink);
  }

  /**
   * The health (LIVE, STALE, WITHDRAWN) of {@code clusterId} in the view of the control plane at {@code adminUrl}
   * ({@code /debug/clusterz}); "absent" when not listed, or the probe's failure when the admin API did not answer.
   */
  static String health(String adminUrl, String clusterId) {
    Probe.Answer answer = Probe.get(adminUrl + "/debug/clusterz", Duration.ofSeconds(3));
    if (!answer.ok()) {
      return "clusterz: " + answer;
    }
    JsonArray clusters = new JsonObject(answer.body()).getJsonArray("clusters", new JsonArray());
    for (int i = 0; i < clusters.size(); i++) {
      JsonObject cluster = clusters.getJsonObject(i);
      if (clusterId.equals(cluster.getString("clusterId"))) {
        return cluster.getString("health", "?");
      }
    }
    return "absent";
  }

  /** Every process's last lines, for failure messages. */
  String logs() {
    return processes.stream().map(LauncherProcess::describe).collect(Collectors.joining("\n"));
  }

  boolean allAlive() {
    return processes.stream().allMatch(LauncherProcess::alive);
  }

  private void startProcesses(Path fed) throws IOException, InterruptedException {
    String[] topology = {"--dir", fed.toString()};
    LauncherProcess files = LauncherProcess.start(logs, "files",
        concat(new String[] {"demo", "--files-only"}, topology));
    if (files.waitFor(Duration.ofSeconds(60)) != 0) {
      throw new AssertionError("meshfed demo --files-only failed\n" + files.describe());
    }
    adaptFiles(fed);

    // Each namespace runs the sample backends of both clusters (one process serves them all); only the cluster's
    // own are reachable from its gateways, since the other cluster's addresses are loopback in another namespace.
    processes.add(LauncherProcess.start(net.exec(east), logs, "backends-east",
        concat(new String[] {"demo", "--backends-only"}, topology)));
    processes.add(LauncherProcess.start(net.exec(west), logs, "backends-west",
        concat(new String[] {"demo", "--backends-only"}, topology)));
    processes.add(LauncherProcess.start(net.exec(east), logs, "control-plane-east", "control-plane", "--config",
        fed.resolve("east/control-plane.yaml").toString()));
    processes.add(LauncherProcess.start(net.exec(west), logs, "control-plane-west", "control-plane", "--config",
        fed.resolve("west/control-plane.yaml").toString()));
    long deadline = System.nanoTime() + START.toNanos();
    // A gateway waits for its control plane's CA; starting them after it keeps the start-up short.
    awaitOk(eastAdmin("/ready"), deadline);
    awaitOk(westAdmin("/ready"), deadline);
    for (String cluster : List.of("east", "west")) {
      for (String role : List.of("eastwest", "ingress")) {
        String namespace = cluster.equals("east") ? east : west;
        processes.add(LauncherProcess.start(net.exec(namespace), logs, role + "-" + cluster, "gateway", "--role",
            role, "--config", fed.resolve(cluster + "/" + role + "-gateway.yaml").toString()));
      }
    }
    Probe.Answer answer;
    do {
      check(deadline, "east's ingress answers /ratings from west/ratings/v1 through the link");
      Thread.sleep(500);
      answer = Probe.get(eastIngress("/ratings"), Duration.ofSeconds(5));
    } while (!answer.servedBy().equals("west/ratings/v1"));
    awaitOk(westIngress("/reviews"), deadline);
  }

  /**
   * The files {@code --files-only} writes assume one host; here each cluster is a host of its own. Each edit must
   * find what it replaces, so a change in the demo's files fails here, by name, instead of silently testing loopback.
   */
  private void adaptFiles(Path fed) throws IOException {
    for (String cluster : List.of("east", "west")) {
      String other = cluster.equals("east") ? "west" : "east";
      String otherAddress = cluster.equals("east") ? westLinkAddress() : eastLinkAddress();
      String ownAddress = cluster.equals("east") ? eastLinkAddress() : westLinkAddress();
      Path dir = fed.resolve(cluster);
      // The other control plane's relay is across the link (it listens on 0.0.0.0 in its namespace).
      edit(dir.resolve("control-plane.yaml"), "(?<head>- " + other + "=)127\\.0\\.0\\.1:", "${head}" + otherAddress
          + ":");
      // A partitioned peer is judged once Hazelcast drops it (memberTimeout) and found again every mergeInterval.
      edit(dir.resolve("control-plane.yaml"), "(?<indent>[ ]*)leaseGrace: \\S+", "${indent}leaseGrace: "
          + LEASE_GRACE.toSeconds() + "s\n${indent}memberTimeout: " + MEMBER_TIMEOUT.toSeconds() + "s\n${indent}"
          + "mergeInterval: " + MERGE_INTERVAL.toSeconds() + "s");
      // The admin API on every address of the namespace, so the test reaches it through its own veth.
      edit(dir.resolve("control-plane.yaml"), "(?<head>admin:\\s*\\n\\s*address: )\\S+", "${head}0.0.0.0:15014");
      // The east-west gateway's address as the other cluster reaches it (the federation publishes externalIPs).
      edit(dir.resolve("config/gateways.yaml"), "externalIPs: \\[[^\\]]*\\]", "externalIPs: [" + ownAddress + "]");
      for (String role : List.of("eastwest", "ingress")) {
        edit(dir.resolve(role + "-gateway.yaml"), "(?m)^listenerHost: .*$", "listenerHost: 0.0.0.0");
      }
    }
    // Istio's recipe for a peer that goes silent (docs/istio-api.md, retries and timeout): a request sent on a pooled
    // connection into a cut link gets no error, only silence (Istio's routes have no timeout by default, so it would
    // wait for TCP to give up). The routes bound each try: reviews retries on another host (east's pods), ratings,
    // which only west serves, fails with a flagged 504/503 instead of hanging.
    edit(fed.resolve("east/config/routing.yaml"),
        "(?m)(?<line>^ *- \\{destination: \\{host: reviews\\.default\\.svc\\.cluster\\.local, subset: v2.*\\n)",
        "${line}" + ROUTE_POLICY.formatted("10s", 3));
    edit(fed.resolve("east/config/routing.yaml"),
        "(?m)(?<line>^ *- destination: \\{host: ratings\\.default\\.svc\\.cluster\\.local.*\\n)",
        "${line}" + ROUTE_POLICY.formatted("3s", 2));
  }

  private static void edit(Path file, String regex, String replacement) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    Matcher m = Pattern.compile(regex).matcher(text);
    if (!m.find()) {
      throw new AssertionError(file + ": no match for /" + regex + "/ (expected: the file meshfed demo "
          + "--files-only writes; has its format changed?)\n" + text);
    }
    Files.writeString(file, m.replaceAll(replacement), StandardCharsets.UTF_8);
  }

  private void awaitOk(String url, long deadline) throws InterruptedException {
    while (!Probe.get(url, Duration.ofSeconds(3)).ok()) {
      check(deadline, url + " answers 200");
      Thread.sleep(300);
    }
  }

  private void check(long deadline, String what) {
    if (System.nanoTime() > deadline) {
      throw new AssertionError(what + " within " + START.toSeconds() + " s\n" + logs());
    }
    if (!allAlive()) {
      throw new AssertionError("a process exited while waiting until " + what + "\n" + logs());
    }
  }

  /** Stops every process (SIGTERM, gateways first); the namespaces belong to the caller. */
  @Override
  public void close() throws InterruptedException {
    List<LauncherProcess> reversed = new ArrayList<>(processes);
    Collections.reverse(reversed);
    // SIGTERM to all at once (gateways first), then wait: each drains for a few seconds.
    reversed.forEach(LauncherProcess::terminate);
    for (LauncherProcess process : reversed) {
      process.close();
    }
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
