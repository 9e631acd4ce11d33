package io.meshfed.gateway.l7.listener;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.meshfed.control.client.gateway.IoTransport;
import io.meshfed.gateway.l7.EngineTestBase;
import io.meshfed.gateway.l7.L7Engine;
import io.meshfed.gateway.l7.config.XdsResources;
import io.meshfed.gateway.l7.testing.Await;
import io.meshfed.gateway.l7.testing.Backend;
import io.meshfed.gateway.l7.testing.CapturedLogs;
import io.meshfed.gateway.l7.testing.TestPki;
import io.meshfed.gateway.l7.testing.Xds;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Clients that reset before their connection is served (mid-ClientHello, mid-handshake, before the protocol is
 * known), or whose HTTP/2 connection fails on their protocol error: the connection is closed, the failure logged at
 * debug and nothing at WARN. Netty's defaults logged a WARN with a stack trace from the pipeline's tail for each (two
 * in the handshake, one more from ALPN negotiation): one per client wrk stopped mid-handshake.
 */
class ClientConnectionFailuresTest extends EngineTestBase {

  private CapturedLogs logged;
  private Backend backend;

  // What is tested is what the handlers do with a reset the transport reports. Netty 4.2.18's io_uring transport has
  // been seen to miss a reset that lands while a connection is still being set up on a cold JVM (docs/l7-gateway.md,
  // "Transport"); epoll reports every one.
  @Override
  protected L7Engine.Builder configure(L7Engine.Builder builder) {
    return builder.transport(IoTransport.EPOLL);
  }

  @BeforeEach
  void setUp() throws Exception {
    logged = CapturedLogs.of(org.slf4j.Logger.ROOT_LOGGER_NAME);
    backend = backend("b");
  }

  @AfterEach
  void detach() {
    logged.close();
  }

  @Test
  void aResetDuringTheTlsHandshakeClosesQuietly() throws Exception {
    int port = tlsListener();
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(clientHello("bookinfo.com", port));
      InputStream in = socket.getInputStream();
      assertThat(in.read()).as("the gateway answers the ClientHello (a TLS handshake record)").isEqualTo(0x16);
      reset(socket);
    }

    assertClosedQuietly("TLS handshake");
  }

  @Test
  void aResetInsideTheClientHelloClosesQuietly() throws Exception {
    int port = tlsListener();
    try (Socket socket = new Socket("127.0.0.1", port)) {
      byte[] hello = clientHello("bookinfo.com", port);
      socket.getOutputStream().write(hello, 0, hello.length / 2);
      awaitOpen(1);
      reset(socket);
    }

    assertClosedQuietly("ClientHello");
  }

  @Test
  void aResetBeforeTheProtocolIsKnownClosesQuietly() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", plaintextListener())) {
      // Could still become the HTTP/2 preface: protocol detection waits for more.
      socket.getOutputStream().write("PRI * HT".getBytes(StandardCharsets.US_ASCII));
      awaitOpen(1);
      reset(socket);
    }

    assertClosedQuietly("protocol detection");
  }

  @Test
  void aProtocolErrorOnAnHttp2ConnectionClosesQuietly() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", plaintextListener())) {
      socket.setSoTimeout(10_000);
      // The client preface, an empty SETTINGS frame (length 0, type 4, no flags, stream 0), then bytes that are no
      // frame: a connection error, answered with GOAWAY.
      OutputStream out = socket.getOutputStream();
      out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0});
      out.write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(goAwayErrorCode(socket.getInputStream())).as("GOAWAY FRAME_SIZE_ERROR (RFC 9113 §4.2)")
          .isEqualTo(0x6);
    }

    assertClosedQuietly("HTTP/2 connection");
    assertThat(backend.hits()).isZero();
  }

  /** Reads HTTP/2 frames until a GOAWAY and returns its error code. */
  private static int goAwayErrorCode(InputStream in) throws Exception {
    DataInputStream frames = new DataInputStream(in);
    while (true) {
      int length = frames.readUnsignedShort() << 8 | frames.readUnsignedByte();
      int type = frames.readUnsignedByte();
      frames.skipNBytes(5);
      byte[] payload = frames.readNBytes(length);
      if (type == 0x7) {
        return ByteBuffer.wrap(payload, 4, 4).getInt();
      }
    }
  }

  private int plaintextListener() throws Exception {
    apply(XdsResources.builder().listener(Xds.httpListener("plain", "r")).route(Xds.catchAll("r", "c"))
        .cluster(Xds.staticCluster("c", "127.0.0.1", backend.port())).build());
    return port("plain");
  }

  private int tlsListener() throws Exception {
    TestPki pki = new TestPki("gateway-ca");
    TestPki.Leaf bookinfo = pki.leaf("bookinfo", List.of("bookinfo.com"), List.of());
    Listener listener = Listener.newBuilder().setName("tls").setAddress(Xds.address("127.0.0.1", 0))
        .addListenerFilters(ListenerFilter.newBuilder().setName("envoy.filters.listener.tls_inspector"))
        .addFilterChains(Xds.tlsChain(Xds.hcm("r").build(), "kubernetes://bookinfo-cert", List.of("bookinfo.com"),
            null))
        .build();
    apply(XdsResources.builder().listener(listener).route(Xds.catchAll("r", "c"))
        .cluster(Xds.staticCluster("c", "127.0.0.1", backend.port()))
        .secret(Xds.tlsSecret("kubernetes://bookinfo-cert", bookinfo.chainPem(), bookinfo.keyPem()))
        .build());
    return port("tls");
  }

  /** The first flight of a TLS client for {@code host}: a complete ClientHello with SNI. */
  private static byte[] clientHello(String host, int port) throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, null, null);
    SSLEngine engine = context.createSSLEngine(host, port);
    engine.setUseClientMode(true);
    SSLParameters parameters = engine.getSSLParameters();
    parameters.setServerNames(List.of(new SNIHostName(host)));
    engine.setSSLParameters(parameters);
    ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    engine.wrap(ByteBuffer.allocate(0), out);
    out.flip();
    byte[] hello = new byte[out.remaining()];
    out.get(hello);
    return hello;
  }

  /** Closes with SO_LINGER 0: the peer reads a TCP reset (ECONNRESET), as from a client killed mid-connection. */
  private static void reset(Socket socket) throws Exception {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  private void awaitOpen(int connections) throws InterruptedException {
    Await.until(connections + " open connection(s)", Duration.ofSeconds(10),
        () -> engine.openConnections() == connections);
  }

  /** The connection closes, the failure is logged at debug with its phase, and nothing at WARN or above. */
  private void assertClosedQuietly(String phase) throws InterruptedException {
    // The error is handled (or reaches the pipeline's tail and is logged) before the channel closes.
    awaitOpen(0);
    assertThat(logged.warnings()).extracting(event -> event.getLoggerName() + ": " + event.getFormattedMessage())
        .isEmpty();
    assertThat(logged.events()).as("a debug line for the reset in phase '%s'", phase)
        .anyMatch(event -> event.getLevel() == Level.DEBUG
            && event.getLoggerName().equals(DownstreamPipelines.class.getName())
            && event.getFormattedMessage().contains(": " + phase + " with "));
  }
}
