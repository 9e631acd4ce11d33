package io.meshfed.gateway.l7.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.gateway.l7.EngineTestBase;
import io.meshfed.gateway.l7.HygieneLimits;
import io.meshfed.gateway.l7.L7Engine;
import io.meshfed.gateway.l7.config.XdsResources;
import io.meshfed.gateway.l7.testing.Backend;
import io.meshfed.gateway.l7.testing.H2cFrames;
import io.meshfed.gateway.l7.testing.Xds;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Settings;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An HTTP/2 response whose end waits for a client's flow-control window that never opens: once the exchange is over,
 * the stream idle timeout bounds that wait, then the stream is reset with CANCEL (as Envoy's HTTP/2 codec does,
 * {@code tx_flush_timeout}), so the stream, and so the connection, is not held for ever.
 */
class Http2ResponseEndWindowTest extends EngineTestBase {

  private static final Duration STREAM_IDLE = Duration.ofSeconds(2);

  private int port;

  @Override
  protected L7Engine.Builder configure(L7Engine.Builder builder) {
    return builder.limits(HygieneLimits.DEFAULTS.withMaxRequestBodyBytes(1024));
  }

  @BeforeEach
  void serve() throws Exception {
    Backend backend = backend("b");
    apply(XdsResources.builder()
        .listener(Xds.httpListener("l", Xds.hcm("r").setStreamIdleTimeout(Xds.millis(STREAM_IDLE.toMillis())).build()))
        .route(Xds.routes("r", Xds.vhost("v", List.of("h"), Xds.route(Xds.prefix("/"), "c"))))
        .cluster(Xds.staticCluster("c", "127.0.0.1", backend.port())).build());
    port = port("l");
  }

  /** A client whose streams' flow-control windows start at 0 (SETTINGS_INITIAL_WINDOW_SIZE) and never open. */
  private H2cFrames clientWithClosedWindows() throws Exception {
    return new H2cFrames(port, Http2Settings.defaultSettings().initialWindowSize(0));
  }

  @Test
  void aResponseWhoseEndTheClientsWindowHoldsIsResetAfterTheStreamIdleTimeout() throws Exception {
    try (H2cFrames client = clientWithClosedWindows()) {
      long sent = System.nanoTime();
      H2cFrames.Stream stream = client.request("GET", "h", "/held", true);

      // HEADERS are not flow controlled; the echoed body and its END_STREAM wait for the window.
      assertThat(stream.next(5).status()).isEqualTo("200");
      assertResetWithCancelAfterTheStreamIdleTimeout(stream, sent);
      assertThat(stream.closedWithin(5)).isTrue();

      assertTheDrainCloses(client);
    }
    assertThat(outcomes.nth(1).responseCode()).isEqualTo(200);
  }

  @Test
  void aLocalReplyBeforeTheRequestsEndWhoseEndTheClientsWindowHoldsIsResetAfterTheStreamIdleTimeout()
      throws Exception {
    try (H2cFrames client = clientWithClosedWindows()) {
      // Over the 1024-byte body limit and never ended: 413, whose body cannot leave, so the RST_STREAM(NO_ERROR)
      // that is to follow its end never would either.
      long sent = System.nanoTime();
      H2cFrames.Stream upload = client.request("POST", "h", "/upload", false).data(2000, false);

      assertThat(upload.next(5).status()).isEqualTo("413");
      assertResetWithCancelAfterTheStreamIdleTimeout(upload, sent);
      assertThat(upload.closedWithin(5)).isTrue();

      assertTheDrainCloses(client);
    }
    assertThat(outcomes.nth(1).responseCode()).isEqualTo(413);
  }

  /**
   * The next frame is RST_STREAM(CANCEL), not before the stream idle timeout from the request ({@code sent}: the
   * response's end is written after it, so a client thread scheduled late cannot fail this) nor long after the head.
   */
  private static void assertResetWithCancelAfterTheStreamIdleTimeout(H2cFrames.Stream stream, long sent)
      throws InterruptedException {
    long headed = System.nanoTime();
    H2cFrames.Frame reset = stream.next(10);
    long now = System.nanoTime();
    assertThat(reset.type()).as("nothing of the body can arrive").isEqualTo("RST_STREAM");
    assertThat(reset.errorCode()).as("CANCEL: the response was not delivered").isEqualTo(Http2Error.CANCEL.code());
    assertThat((now - sent) / 1_000_000).as("the 2 s stream idle timeout, from the request")
        .isGreaterThanOrEqualTo(STREAM_IDLE.toMillis());
    assertThat((now - headed) / 1_000_000).as("not long after it").isLessThanOrEqualTo(STREAM_IDLE.toMillis() + 5000);
  }

  /**
   * The gateway closes a draining HTTP/2 connection once its last stream channel has closed: a stream still holding
   * its response's end would keep it open past this wait (the drain's grace is longer).
   */
  private void assertTheDrainCloses(H2cFrames client) throws InterruptedException {
    engine.drain(Duration.ofSeconds(30));
    assertThat(client.closedWithin(10)).as("closed at the drain: no stream channel left open").isTrue();
  }
}
