package io.meshfed.it.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Linux network namespaces and veth links of one chaos run, named after this JVM's pid
 * ({@code mfchaos-<pid>-east}, veths {@code mf<kind><pid><side>}) so that concurrent runs never touch each other's
 * and a later run can tell a crashed run's leftovers (their pid is gone) from a live run's. {@link #close()} removes
 * everything it created; {@link #removeLeftovers()} removes what a killed run left behind.
 */
final class NetworkNamespaces implements AutoCloseable {

  static final String PREFIX = "mfchaos-";
  private static final Pattern LEFTOVER_NAMESPACE = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-[a-z]+");
  // Veths: "mf" + kind letter + pid + side (interface names are at most 15 characters).
  private static final Pattern LEFTOVER_HOST_LINK = Pattern.compile("^\\d+: (mf[a-z](\\d+)[abhn])[@:]");

  private final String ip;
  private final long runId = ProcessHandle.current().pid();
  private final List<String> namespaces = new ArrayList<>();
  private final List<String> hostLinks = new ArrayList<>();

  private NetworkNamespaces(String ip) {
    this.ip = ip;
  }

  /**
   * Why namespaces cannot be used here (not root, no {@code ip}, the kernel refuses a namespace), or empty when they
   * can: the chaos tests skip with this reason.
   */
  static Optional<String> unavailable() {
    Command.Result uid = Command.run("id", "-u");
    if (!uid.ok() || !uid.output().equals("0")) {
      return Optional.of("network namespaces need root (id -u: " + uid.output() + ")");
    }
    Optional<String> ip = Command.find("ip");
    if (ip.isEmpty()) {
      return Optional.of("`ip` (iproute2) is not installed");
    }
    String probe = PREFIX + ProcessHandle.current().pid() + "-check";
    Command.Result add = Command.run(ip.get(), "netns", "add", probe);
    Command.run(ip.get(), "netns", "del", probe);
    if (!add.ok()) {
      return Optional.of("`ip netns add` fails here: " + add.output());
    }
    return Optional.empty();
  }

  /** Namespaces for this run, after removing the leftovers of crashed runs. */
  static NetworkNamespaces create() {
    String ip = Command.find("ip").orElseThrow(() -> new IllegalStateException("ip: not installed"));
    NetworkNamespaces namespaces = new NetworkNamespaces(ip);
    namespaces.removeLeftovers();
    return namespaces;
  }

  long runId() {
    return runId;
  }

  /**
   * Why {@code tc qdisc ... netem} cannot delay packets here (no {@code tc}, or the kernel lacks {@code sch_netem}),
   * tried on the loopback of a scratch namespace; empty when it works.
   */
  Optional<String> netemUnavailable() {
    Optional<String> tc = Command.find("tc");
    if (tc.isEmpty()) {
      return Optional.of("`tc` (iproute2) is not installed");
    }
    String scratch = namespace("netem");
    try {
      Command.Result add = Command.run(ip, "netns", "exec", scratch, tc.get(), "qdisc", "add", "dev", "lo", "root",
          "netem", "delay", "1ms");
      return add.ok() ? Optional.empty()
          : Optional.of("`tc qdisc add ... netem` fails here (the kernel has no sch_netem?): " + add.output());
    } finally {
      delete(scratch);
    }
  }

  /** Creates namespace {@code mfchaos-<pid>-<name>} with its loopback up; returns its full name. */
  String namespace(String name) {
    String full = PREFIX + runId + "-" + name;
    check(Command.run(ip, "netns", "add", full));
    namespaces.add(full);
    check(Command.run(ip, "netns", "exec", full, ip, "link", "set", "lo", "up"));
    return full;
  }

  /**
   * A veth pair between two namespaces (each end {@code address/30}, up); {@code kind} is one letter naming the link.
   * Returns the interface name of side A (side B's ends in "b").
   */
  String link(char kind, String namespaceA, String addressA, String namespaceB, String addressB) {
    String a = "mf" + kind + runId + "a";
    String b = "mf" + kind + runId + "b";
    check(Command.run(ip, "link", "add", a, "type", "veth", "peer", "name", b));
    hostLinks.add(a);
    configure(a, namespaceA, addressA);
    configure(b, namespaceB, addressB);
    return a;
  }

  /**
   * A veth pair between the host (this JVM's namespace, address {@code hostAddress/30}) and {@code namespace}, so
   * the test can reach that namespace's listeners directly.
   */
  void hostLink(char kind, String hostAddress, String namespace, String address) {
    String host = "mf" + kind + runId + "h";
    String inside = "mf" + kind + runId + "n";
    check(Command.run(ip, "link", "add", host, "type", "veth", "peer", "name", inside));
    hostLinks.add(host);
    check(Command.run(ip, "addr", "add", hostAddress + "/30", "dev", host));
    check(Command.run(ip, "link", "set", host, "up"));
    configure(inside, namespace, address);
  }

  private void configure(String link, String namespace, String address) {
    check(Command.run(ip, "link", "set", link, "netns", namespace));
    check(Command.run(ip, "netns", "exec", namespace, ip, "addr", "add", address + "/30", "dev", link));
    check(Command.run(ip, "netns", "exec", namespace, ip, "link", "set", link, "up"));
  }

  /** Takes a link down (cut: its routes vanish, the peer loses carrier) or brings it back up. */
  void setLink(String namespace, String link, boolean up) {
    check(Command.run(ip, "netns", "exec", namespace, ip, "link", "set", link, up ? "up" : "down"));
  }

  /** Delays every packet leaving {@code link} by {@code delayMs} (tc netem). */
  void delay(String namespace, String link, int delayMs) {
    String tc = Command.find("tc").orElseThrow();
    check(Command.run(ip, "netns", "exec", namespace, tc, "qdisc", "add", "dev", link, "root", "netem", "delay",
        delayMs + "ms"));
  }

  /** Removes the delay of {@link #delay}. */
  void undelay(String namespace, String link) {
    String tc = Command.find("tc").orElseThrow();
    check(Command.run(ip, "netns", "exec", namespace, tc, "qdisc", "del", "dev", link, "root"));
  }

  /** The command prefix that runs a command inside {@code namespace} (ip netns exec execs it). */
  List<String> exec(String namespace) {
    return List.of(ip, "netns", "exec", namespace);
  }

  /** A host address of 10.0.0.0/8 whose /24 nothing on this host uses yet, derived from the pid. */
  String freeSubnet() {
    String used = Command.run(ip, "-4", "-o", "addr", "show").output();
    for (int i = 0; i < 50; i++) {
      long n = runId + i * 7919L;
      String subnet = "10." + (200 + (n / 250) % 50) + "." + (n % 250) + ".";
      if (!used.contains(" " + subnet)) {
        return subnet;
      }
    }
    throw new IllegalStateException("no free 10.x.y.0/24 for the chaos links:\n" + used);
  }

  /** Kills what still runs in this run's namespaces and deletes them and their links. */
  @Override
  public void close() {
    for (String namespace : List.copyOf(namespaces)) {
      delete(namespace);
    }
    for (String link : hostLinks) {
      // Gone with its namespace, normally; a link whose peer never moved stays in the host namespace.
      Command.run(ip, "link", "del", link);
    }
    hostLinks.clear();
  }

  private void delete(String namespace) {
    Command.Result pids = Command.run(ip, "netns", "pids", namespace);
    if (pids.ok()) {
      pids.output().lines().map(String::strip).filter(line -> line.matches("\\d+")).map(Long::parseLong)
          .forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }
    Command.run(ip, "netns", "del", namespace);
    namespaces.remove(namespace);
  }

  /** Namespaces and host links of runs whose JVM is gone (a crash or a kill skipped their clean-up). */
  private void removeLeftovers() {
    for (String line : Command.run(ip, "netns", "list").output().lines().toList()) {
      String name = line.split(" ")[0];
      Matcher m = LEFTOVER_NAMESPACE.matcher(name);
      if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
        delete(name);
      }
    }
    for (String line : Command.run(ip, "-o", "link", "show").output().lines().toList()) {
      Matcher m = LEFTOVER_HOST_LINK.matcher(line);
      if (m.find() && ProcessHandle.of(Long.parseLong(m.group(2))).isEmpty()) {
        Command.run(ip, "link", "del", m.group(1));
      }
    }
  }

  private static void check(Command.Result result) {
    if (!result.ok()) {
      throw new IllegalStateException("chaos network set-up failed: " + result.output());
    }
  }
}
