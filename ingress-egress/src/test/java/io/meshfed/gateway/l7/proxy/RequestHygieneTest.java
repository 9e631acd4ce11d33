package io.meshfed.gateway.l7.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.meshfed.gateway.l7.EngineTestBase;
import io.meshfed.gateway.l7.HygieneLimits;
import io.meshfed.gateway.l7.L7Engine;
import io.meshfed.gateway.l7.config.XdsResources;
import io.meshfed.gateway.l7.testing.Backend;
import io.meshfed.gateway.l7.testing.RawHttp;
import io.meshfed.gateway.l7.testing.Xds;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad input, one rule per test: every refusal is answered locally with Envoy's status and flag {@code DPE}, never
 * reaches the backend, and (for framing faults) closes the connection so nothing smuggled is read as a request.
 */
class RequestHygieneTest extends EngineTestBase {

  private Backend backend;
  private int port;

  @Override
  protected L7Engine.Builder configure(L7Engine.Builder builder) {
    return builder.limits(HygieneLimits.DEFAULTS.withMaxRequestBodyBytes(1024)
        .withDefaultRequestHeadersTimeout(Duration.ofMillis(400)));
  }

  @BeforeEach
  void serve() throws Exception {
    backend = backend("b");
    var hcm = Xds.hcm("r").setMaxRequestHeadersKb(Xds.u32(2));
    hcm.getCommonHttpProtocolOptionsBuilder().setMaxHeadersCount(Xds.u32(10)).setIdleTimeout(Xds.millis(800));
    port = serve(hcm);
  }

  /** (Re)configures listener "l" with {@code hcm}, routing everything to the backend; returns its port. */
  private int serve(HttpConnectionManager.Builder hcm) throws Exception {
    apply(XdsResources.builder().listener(Xds.httpListener("l", hcm.build()))
        .route(Xds.catchAll("r", "c")).cluster(Xds.staticCluster("c", "127.0.0.1", backend.port())).build());
    return port("l");
  }

  private String exchange(String request) throws Exception {
    try (RawHttp raw = new RawHttp(port)) {
      return raw.send(request).readAll(2000);
    }
  }

  /** Sends {@code request} on a new connection: one answer with {@code status}, then the connection closes. */
  private String answeredThenClosed(String request, int status) throws Exception {
    try (RawHttp raw = new RawHttp(port)) {
      String response = raw.send(request).readAll(3000);
      assertThat(RawHttp.status(response)).as(response).isEqualTo(status);
      assertThat(raw.closedWithin(3000)).isTrue();
      return response;
    }
  }

  private void assertRefused(String response, int status) {
    assertThat(RawHttp.status(response)).as(response).isEqualTo(status);
    assertThat(RawHttp.header(response, "x-meshfed-flags")).isEqualTo("DPE");
    assertThat(backend.hits()).as("refused before reaching the backend").isZero();
  }

  @Test
  void acceptsAWellFormedRequest() throws Exception {
    String response = exchange("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
    assertThat(RawHttp.status(response)).isEqualTo(200);
  }

  @Test
  void refusesContentLengthWithTransferEncoding() throws Exception {
    String smuggle = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "0\r\n\r\nGET /admin HTTP/1.1\r\nHost: h\r\n\r\n";
    String response = exchange(smuggle);
    assertRefused(response, 400);
    assertThat(RawHttp.header(response, "x-meshfed-details")).isEqualTo("http1.content_length_and_chunked_not_allowed");
    assertThat(response).as("the smuggled request is never answered").doesNotContain("HTTP/1.1 200");
  }

  @Test
  void refusesConflictingContentLengths() throws Exception {
    assertRefused(exchange("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde"),
        400);
  }

  @Test
  void refusesTransferCodingsOtherThanChunked() throws Exception {
    assertRefused(exchange("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
        501);
  }

  @Test
  void refusesTransferEncodingInHttp10() throws Exception {
    assertRefused(exchange("POST / HTTP/1.0\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), 400);
  }

  @Test
  void refusesAMissingOrDuplicatedHost() throws Exception {
    assertRefused(exchange("GET / HTTP/1.1\r\n\r\n"), 400);
    assertRefused(exchange("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
  }

  @Test
  void refusesHeadersOverTheSizeLimitWith431() throws Exception {
    assertRefused(exchange("GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + "a".repeat(3000) + "\r\n\r\n"), 431);
  }

  @Test
  void refusesTooManyHeadersWith431() throws Exception {
    StringBuilder request = new StringBuilder("GET / HTTP/1.1\r\nHost: h\r\n");
    for (int i = 0; i < 12; i++) {
      request.append("X-H").append(i).append(": v\r\n");
    }
    assertRefused(exchange(request.append("\r\n").toString()), 431);
  }

  @Test
  void refusesBodiesOverTheLimitWith413() throws Exception {
    assertRefused(exchange("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2000\r\n\r\n" + "x".repeat(2000)), 413);
    String chunked = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "400\r\n" + "x".repeat(1024) + "\r\n400\r\n" + "x".repeat(1024) + "\r\n0\r\n\r\n";
    assertThat(RawHttp.status(exchange(chunked))).isEqualTo(413);
  }

  /**
   * A client that writes its whole body before reading (most synchronous clients) still gets the 413: the gateway
   * reads and drops the rest of the upload while it closes (RFC 9112 §9.6), where closing at once would answer the
   * bytes still arriving with a reset that fails the client's write and can erase the 413 before it is read.
   */
  @Test
  void aClientStillUploadingGetsThe413() throws Exception {
    String body = "x".repeat(8 << 20);
    try (RawHttp raw = new RawHttp(port)) {
      raw.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: " + body.length() + "\r\n\r\n");
      raw.send(body);
      String response = raw.readAll(3000);
      assertRefused(response, 413);
    }
  }

  @Test
  void answersGarbageWith400() throws Exception {
    assertRefused(exchange("\u0016\u0003\u0001garbage that is not HTTP\r\n\r\n"), 400);
    assertRefused(exchange("GET /\u0000 HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
  }

  @Test
  void answersASlowlorisWith408WhenHeadersDoNotComplete() throws Exception {
    try (RawHttp raw = new RawHttp(port)) {
      raw.send("GET / HTTP/1.1\r\nHost: h\r\nX-Slow: ");
      String response = raw.readAll(3000);
      assertThat(RawHttp.status(response)).isEqualTo(408);
      assertThat(RawHttp.header(response, "x-meshfed-flags")).isEqualTo("DPE");
      assertThat(RawHttp.header(response, "x-meshfed-details")).isEqualTo("request_header_timeout");
      assertThat(response).endsWith("\r\n\r\nrequest header timeout");
    }
    assertThat(outcomes.nth(1).responseCode()).isEqualTo(408);
    assertThat(outcomes.nth(1).responseFlags()).isEqualTo("DPE");
  }

  @Test
  void answersAClientThatStallsBeforeItsProtocolIsKnownWith408() throws Exception {
    // Could still become the HTTP/2 preface: protocol detection waits, under the headers timeout.
    answeredThenClosed("PRI * HT", 408);
  }

  @Test
  void closesAStalledHttp2PrefaceAtTheIdleTimeoutWithoutAnHttp1Answer() throws Exception {
    try (RawHttp raw = new RawHttp(port)) {
      // "PRI * HTTP/2" chooses HTTP/2, as in Envoy; the 800 ms idle timeout, not the headers timeout, ends the wait.
      long start = System.nanoTime();
      raw.send("PRI * HTTP/2.0\r\n");
      String response = raw.readAll(5000);
      long waitedMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(response).doesNotContain("HTTP/1.1");
      assertThat(waitedMillis).as("the 800 ms idle timeout, not the 400 ms headers timeout").isGreaterThan(600L);
      assertThat(raw.closedWithin(100)).isTrue();
    }
  }

  @Test
  void closesConnectionsThatNeverSendARequest() throws Exception {
    try (RawHttp raw = new RawHttp(port)) {
      assertThat(raw.closedWithin(300)).as("open until the idle timeout").isFalse();
      assertThat(raw.closedWithin(3000)).as("the 800 ms idle timeout runs from the connection's start").isTrue();
    }
  }

  @Test
  void theIdleTimeoutWaitsWhileRequestHeadersArrive() throws Exception {
    // request_headers_timeout: 0s turns the headers timeout off; the 800 ms idle timeout must not take its place.
    var hcm = Xds.hcm("r").setRequestHeadersTimeout(Xds.millis(0));
    hcm.getCommonHttpProtocolOptionsBuilder().setIdleTimeout(Xds.millis(800));
    try (RawHttp raw = new RawHttp(serve(hcm))) {
      raw.send("GET / HTTP/1.1\r\n");
      assertThat(raw.closedWithin(1500)).as("headers in progress are no idle connection").isFalse();
      String response = raw.send("Host: h\r\nConnection: close\r\n\r\n").readAll(3000);
      assertThat(RawHttp.status(response)).isEqualTo(200);
    }
  }

  @Test
  void theStreamIdleTimeoutBoundsStalledHeadersWhenTheHeadersTimeoutIsOff() throws Exception {
    var hcm = Xds.hcm("r").setRequestHeadersTimeout(Xds.millis(0)).setStreamIdleTimeout(Xds.millis(3000));
    hcm.getCommonHttpProtocolOptionsBuilder().setIdleTimeout(Xds.millis(500));
    try (RawHttp raw = new RawHttp(serve(hcm))) {
      long start = System.nanoTime();
      raw.send("GET / HTTP/1.1\r\n");
      assertThat(raw.closedWithin(1000)).as("not the 500 ms idle timeout").isFalse();
      raw.send("Host: h\r\n");
      // As in Envoy, the stream idle timeout runs from the request's first byte; later header bytes do not reset it.
      String response = raw.readAll(6000);
      // Reset by the header bytes sent at 1 s, it would fire at 4 s.
      assertThat((System.nanoTime() - start) / 1_000_000).as("the 3 s stream idle timeout").isBetween(2500L, 3900L);
      assertThat(RawHttp.status(response)).as(response).isEqualTo(408);
      assertThat(RawHttp.header(response, "x-meshfed-flags")).isEqualTo("SI");
      assertThat(RawHttp.header(response, "x-meshfed-details")).isEqualTo("stream_idle_timeout");
      assertThat(raw.closedWithin(3000)).isTrue();
    }
    assertThat(backend.hits()).isZero();
    assertThat(outcomes.nth(1).responseFlags()).isEqualTo("SI");
    assertThat(outcomes.nth(1).responseCodeDetails()).isEqualTo("stream_idle_timeout");
  }

  @Test
  void aPipelinedRequestsHeadersAreTimedFromTheEndOfThePreviousRequest() throws Exception {
    // The second head's complete lines are consumed by the decoder while the first request is served; a part of a
    // line waits in the decoder's buffer.
    for (String second : List.of("GET /two HTTP/1.1\r\nHost: h\r\n", "GE")) {
      try (RawHttp raw = new RawHttp(port)) {
        raw.send("GET /one HTTP/1.1\r\nHost: h\r\n\r\n" + second);
        String responses = raw.readAll(3000);
        assertThat(RawHttp.status(responses)).isEqualTo(200);
        assertThat(responses).as("after %s: the headers timeout (400 ms), not the idle timeout (800 ms)", second)
            .contains("HTTP/1.1 408 Request Timeout");
      }
    }
    assertThat(backend.hits()).isEqualTo(2);
  }

  @Test
  void lineBreaksAfterARequestAreNoNextRequest() throws Exception {
    // RFC 9112 §2.2: a server ignores empty lines before a request line.
    String response = answeredThenClosed("GET / HTTP/1.1\r\nHost: h\r\n\r\n\r\n", 200);
    // A second response's status line, not "408" anywhere: the echoed body carries random ids.
    assertThat(response).as("closed by the idle timeout, no 408").doesNotContain("HTTP/1.1 408");
  }

  @Test
  void closesIdleConnections() throws Exception {
    // The 800 ms idle timeout closes the kept-alive connection after the response.
    answeredThenClosed("GET / HTTP/1.1\r\nHost: h\r\n\r\n", 200);
  }

  @Test
  void servesPipelinedRequestsInOrder() throws Exception {
    String response = exchange("GET /one HTTP/1.1\r\nHost: h\r\n\r\nGET /two HTTP/1.1\r\nHost: h\r\n"
        + "Connection: close\r\n\r\n");
    assertThat(response.indexOf("/one")).isPositive().isLessThan(response.indexOf("/two"));
    assertThat(backend.hits()).isEqualTo(2);
  }
}
