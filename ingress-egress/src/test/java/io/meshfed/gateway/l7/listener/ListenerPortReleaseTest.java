package io.meshfed.gateway.l7.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.gateway.l7.L7Engine;
import io.meshfed.gateway.l7.Role;
import io.meshfed.gateway.l7.config.XdsResources;
import io.meshfed.gateway.l7.testing.Await;
import io.meshfed.gateway.l7.testing.Backend;
import io.meshfed.gateway.l7.testing.Xds;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A closed engine gives its listeners' ports back at once: a gateway restarted in the same process (tests, and a
 * hot restart) binds the same port again. On io_uring (the transport {@code AUTO} picks where the kernel allows it;
 * on epoll the loops' shutdown happened to close what the engine left) a server socket whose close was still
 * pending when the event loops stopped stayed open for the life of the process, and so did one bound by an update
 * still in flight when the engine closed: every later bind of that port failed.
 */
class ListenerPortReleaseTest {

  private static final String HOST = "127.0.0.1";
  private static final int CYCLES = 200;

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() throws Exception {
    Await.result(vertx.close());
  }

  @Test
  void everyCloseReleasesThePortsWithOpenConnectionsAMovedListenerOrABindInFlight() throws Exception {
    Backend backend = Backend.start(vertx, "b", HOST);
    // The first cycle binds an ephemeral port; every later one binds that same port again.
    int port = 0;
    try {
      for (int cycle = 0; cycle < CYCLES; cycle++) {
        L7Engine engine = L7Engine.builder(vertx).role(Role.INGRESS).workers(2).build();
        Socket client = null;
        int moved = 0;
        try {
          if (cycle % 2 == 0) {
            assertThat(Await.result(engine.apply(config(port, backend))).errors()).as("cycle %d", cycle).isEmpty();
            port = engine.port("l");
            client = keepAliveExchange(port);
            if (cycle % 4 == 2) {
              // The listener moves: its old socket is replaced while a connection it accepted is still open.
              assertThat(Await.result(engine.apply(config(0, backend))).errors()).isEmpty();
              moved = engine.port("l");
            }
          } else {
            // Closed while the bind may still be in flight.
            engine.apply(config(port, backend));
          }
        } finally {
          Await.result(engine.close());
        }
        assertThat(canBind(port)).as("port %d free after close in cycle %d", port, cycle).isTrue();
        if (moved != 0) {
          assertThat(canBind(moved)).as("moved-to port %d free after close in cycle %d", moved, cycle).isTrue();
        }
        if (client != null) {
          client.close();
        }
      }
    } finally {
      backend.close();
    }
  }

  private static XdsResources config(int port, Backend backend) {
    return XdsResources.builder()
        .listener(Xds.httpListener("l", "r").toBuilder().setAddress(Xds.address(HOST, port)).build())
        .route(Xds.routes("r", Xds.vhost("b", List.of("b"), Xds.route(Xds.prefix("/"), "c"))))
        .cluster(Xds.staticCluster("c", HOST, backend.port())).build();
  }

  /** One request on a connection left open, so the close has an established connection to deal with. */
  private static Socket keepAliveExchange(int port) throws IOException {
    Socket socket = new Socket(HOST, port);
    socket.getOutputStream().write("GET /x HTTP/1.1\r\nHost: b\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    InputStream in = socket.getInputStream();
    assertThat(in.read(new byte[512])).isPositive();
    return socket;
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
