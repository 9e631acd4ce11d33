package io.meshfed.gateway.eastwest;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.gateway.eastwest.fixtures.Await;
import io.meshfed.gateway.eastwest.fixtures.TestNet;
import io.meshfed.gateway.eastwest.fixtures.TestPki;
import io.meshfed.gateway.eastwest.fixtures.Xds;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A closed gateway gives its listeners' ports back at once, so a gateway restarted in the same process binds the
 * same port again. An update still binding when the gateway closed used to commit its socket after the listeners
 * were closed, and that socket stayed open for the life of the process.
 */
class ListenerPortReleaseTest {

  private static final String HOST = "127.0.0.1";
  private static final String SNI = "outbound_.9080_._.reviews.default.svc.cluster.local";
  private static final String LISTENER = "0.0.0.0_15443";
  private static final int CYCLES = 200;

  private final TestPki mesh = TestPki.create("mesh");
  private final TestNet net = new TestNet();
  private final TestNet.EchoServer backend = net.tlsEcho("127.0.2.51", mesh.issue("spiffe://cluster.local/ns/d/sa/v1"),
      null, List.of("istio"), "v1:");

  @AfterEach
  void stop() {
    backend.close();
    net.close();
  }

  @Test
  void everyCloseReleasesThePortWithOrWithoutABindInFlight() {
    // The first cycle binds an ephemeral port; every later one binds that same port again.
    int port = 0;
    XdsResources config = new XdsResources("1", List.of(Xds.listener(15443, Xds.passthrough(SNI))), List.of(),
        List.of(Xds.eds(SNI)), List.of(Xds.endpoints(SNI, backend.address())), List.of());
    for (int cycle = 0; cycle < CYCLES; cycle++) {
      EastWestGateway gateway = EastWestGateway.builder().eventLoops(2)
          .bind(LISTENER, new InetSocketAddress(HOST, port)).build();
      try {
        if (cycle % 2 == 0) {
          assertThat(Await.get(gateway.apply(config)).accepted()).as("cycle %d", cycle).isTrue();
          port = gateway.boundAddress(LISTENER).orElseThrow().getPort();
          // A second version moves nothing: the listener keeps its socket.
          assertThat(Await.get(gateway.apply(config.with("2", ResourceType.CLUSTER, List.of(Xds.eds(SNI)))))
              .accepted()).isTrue();
        } else {
          // Closed while the bind may still be in flight.
          gateway.apply(config);
        }
      } finally {
        gateway.close();
      }
      assertThat(canBind(port)).as("port %d free after close in cycle %d", port, cycle).isTrue();
    }
  }

  private static boolean canBind(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(HOST, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
