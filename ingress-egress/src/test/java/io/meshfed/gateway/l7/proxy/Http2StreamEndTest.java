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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How the gateway ends an HTTP/2 stream whose request has not ended (what clients see at the frame level): after a
 * complete response, RST_STREAM with NO_ERROR (RFC 9113 §8.1, as Envoy), so the client keeps the response and stops
 * uploading; after a response cut short, CANCEL.
 */
class Http2StreamEndTest extends EngineTestBase {

  /** The initial flow-control window of a connection and of a stream (RFC 9113 §6.9.2). */
  private static final int INITIAL_WINDOW = 65_535;

  private Backend backend;
  private int port;

  @Override
  protected L7Engine.Builder configure(L7Engine.Builder builder) {
    return builder.limits(HygieneLimits.DEFAULTS.withMaxRequestBodyBytes(1024));
  }

  @BeforeEach
  void serve() throws Exception {
    backend = backend("b");
    // Only authority "h" has a route: any other is answered 404 (NR) without reading the body.
    apply(XdsResources.builder().listener(Xds.httpListener("l", Xds.hcm("r").build()))
        .route(Xds.routes("r", Xds.vhost("v", List.of("h"), Xds.route(Xds.prefix("/"), "c"))))
        .cluster(Xds.staticCluster("c", "127.0.0.1", backend.port())).build());
    port = port("l");
  }

  @Test
  void aClientStillUploadingGetsThe413ThenAResetWithNoError() throws Exception {
    try (H2cFrames client = new H2cFrames(port)) {
      // A whole connection window of body, sent at once: the gateway answers after its first 1024 bytes, and the
      // rest reaches it before, or after, its reset.
      H2cFrames.Stream upload = client.request("POST", "h", "/", false).data(INITIAL_WINDOW, false);

      assertCompleteResponseThenNoErrorReset(upload, "413", "Payload Too Large");
      assertThat(upload.closedWithin(5)).as("the stream ended on the client too").isTrue();

      // The dropped body was returned to the connection's flow-control window, or this body could not be sent.
      H2cFrames.Stream next = client.request("POST", "h", "/next", false).data(1000, true);
      assertThat(next.next(5).status()).isEqualTo("200");
      assertThat(next.bodyUntilEnd(5)).contains("\"path\":\"/next\"");
      assertThat(client.open()).isTrue();

      assertNoStreamLeftOpen(client);
    }
    assertThat(outcomes.nth(1).responseCode()).isEqualTo(413);
    assertThat(outcomes.nth(1).responseFlags()).isEqualTo("DPE");
  }

  @Test
  void aLocalReplyBeforeTheBodyIsReadEndsTheUploadWithNoError() throws Exception {
    try (H2cFrames client = new H2cFrames(port)) {
      // No route for this authority: 404 before any filter reads the body. The stream must not stay open, waiting
      // for a body nobody reads.
      H2cFrames.Stream upload = client.request("POST", "elsewhere", "/", false).data(100, false);

      assertCompleteResponseThenNoErrorReset(upload, "404", "");
      assertThat(upload.closedWithin(5)).isTrue();

      assertNoStreamLeftOpen(client);
    }
    assertThat(outcomes.nth(1).responseFlags()).isEqualTo("NR");
  }

  @Test
  void aResponseCutShortIsResetWithCancel() throws Exception {
    backend.handler(request -> {
      request.response().setChunked(true).write("the first half");
      request.connection().close();
    });
    try (H2cFrames client = new H2cFrames(port)) {
      H2cFrames.Stream stream = client.request("GET", "h", "/", true);

      List<H2cFrames.Frame> frames = new ArrayList<>();
      H2cFrames.Frame frame;
      do {
        frame = stream.next(5);
        frames.add(frame);
      } while (!frame.type().equals("RST_STREAM"));

      assertThat(frames).as("the response never ended").noneMatch(H2cFrames.Frame::endStream);
      assertThat(frame.errorCode()).as("CANCEL: the response is incomplete").isEqualTo(Http2Error.CANCEL.code());
    }
    assertThat(outcomes.nth(1).responseFlags()).isEqualTo("UC");
  }

  /**
   * A drain sends GOAWAY, and the gateway closes an HTTP/2 connection once its last stream channel has closed: a
   * stream left open after its reset would hold the connection open past the drain's grace.
   */
  private void assertNoStreamLeftOpen(H2cFrames client) throws InterruptedException {
    engine.drain(Duration.ofSeconds(30));
    assertThat(client.closedWithin(10)).as("closed at the drain: no stream channel left open").isTrue();
  }

  /** A response with {@code status} whose last frame has END_STREAM, then RST_STREAM(NO_ERROR), then nothing. */
  private static void assertCompleteResponseThenNoErrorReset(H2cFrames.Stream stream, String status, String body)
      throws InterruptedException {
    H2cFrames.Frame head = stream.next(5);
    assertThat(head.type()).isEqualTo("HEADERS");
    assertThat(head.status()).isEqualTo(status);
    if (!head.endStream()) {
      assertThat(stream.bodyUntilEnd(5)).isEqualTo(body);
    }
    H2cFrames.Frame reset = stream.next(5);
    assertThat(reset.type()).as("after the response's END_STREAM").isEqualTo("RST_STREAM");
    assertThat(reset.errorCode()).as("NO_ERROR: keep the response, stop the request (RFC 9113 §8.1)")
        .isEqualTo(Http2Error.NO_ERROR.code());
  }
}
