package io.meshfed.it.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The chaos tier's clean-up: nothing of a run stays behind, after a normal end or a crash. Root and iproute2. */
class NetworkNamespacesTest {

  private static final String IP = Command.find("ip").orElse("ip");

  @BeforeAll
  static void needsNamespaces() {
    Optional<String> unavailable = NetworkNamespaces.unavailable();
    assumeTrue(unavailable.isEmpty(), () -> "skipped: " + unavailable.get());
  }

  @Test
  void closeRemovesNamespacesLinksAndWhatRunsInside() throws Exception {
    NetworkNamespaces net = NetworkNamespaces.create();
    Process sleeper;
    String subnet = net.freeSubnet();
    String a;
    String b;
    try {
      a = net.namespace("a");
      b = net.namespace("b");
      net.link('t', a, subnet + "1", b, subnet + "2");
      net.hostLink('u', subnet + "5", a, subnet + "6");
      List<String> sleep = new java.util.ArrayList<>(net.exec(a));
      sleep.add("sleep");
      sleep.add("60");
      sleeper = new ProcessBuilder(sleep).start();
      assertThat(namespaces()).contains(a, b);
      assertThat(links()).contains("mfu" + net.runId() + "h");
    } finally {
      net.close();
    }
    assertThat(sleeper.waitFor(10, TimeUnit.SECONDS)).as("the process inside is killed").isTrue();
    assertThat(namespaces()).doesNotContain(a, b);
    assertThat(links()).doesNotContain("mfu" + net.runId() + "h", "mft" + net.runId() + "a");
  }

  @Test
  void aDeadRunsNamespacesAndLinksAreRemovedByTheNextRun() throws Exception {
    Process finished = new ProcessBuilder("true").start();
    finished.waitFor(10, TimeUnit.SECONDS);
    long deadPid = finished.pid();
    String namespace = NetworkNamespaces.PREFIX + deadPid + "-east";
    String link = "mfx" + deadPid + "a";
    assertThat(Command.run(IP, "netns", "add", namespace).ok()).isTrue();
    assertThat(Command.run(IP, "link", "add", link, "type", "veth", "peer", "name", "mfx" + deadPid + "b").ok())
        .isTrue();

    NetworkNamespaces.create().close();

    assertThat(namespaces()).doesNotContain(namespace);
    assertThat(links()).doesNotContain(link);
  }

  private static String namespaces() {
    return Command.run(IP, "netns", "list").output();
  }

  private static String links() {
    return Command.run(IP, "-o", "link", "show").output();
  }
}
