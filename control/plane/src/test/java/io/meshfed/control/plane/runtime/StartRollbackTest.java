package io.meshfed.control.plane.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A start that fails half-way closes what it already bound: the ports it took are free again. */
class StartRollbackTest {

  static final String HOST = "127.0.1.6";

  @TempDir
  Path dir;
  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() {
    ControlPlaneFixture.await(vertx.close());
  }

  @Test
  void anAdminPortInUseFailsTheStartAndReleasesXdsAndTheRelay() throws Exception {
    int plaintext = ControlPlaneFixture.freePort(HOST);
    int tls = ControlPlaneFixture.freePort(HOST);
    int relay = ControlPlaneFixture.freePort("0.0.0.0");
    Path config = Files.createDirectories(dir.resolve("istio"));
    Path settings = ControlPlaneFixture.settings(dir, "east", "test-" + UUID.randomUUID(), HOST,
        "source: directory\ndirectory: " + config, null);
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      Map<String, String> overrides = Map.of("xds.plaintextAddress", HOST + ":" + plaintext,
          "xds.tlsAddress", HOST + ":" + tls, "federation.relayPort", "" + relay,
          "admin.address", HOST + ":" + taken.getLocalPort());
      assertThatThrownBy(() -> ControlPlaneFixture.start(vertx, settings, overrides, dir.resolve("none")))
          .hasMessageContaining("Address already in use");
    }
    for (int port : new int[] {plaintext, tls}) {
      try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getByName(HOST))) {
        assertThat(again.getLocalPort()).isEqualTo(port);
      }
    }
    try (ServerSocket again = new ServerSocket(relay)) {
      assertThat(again.getLocalPort()).isEqualTo(relay);
    }
  }
}
