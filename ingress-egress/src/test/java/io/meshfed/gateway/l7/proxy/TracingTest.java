package io.meshfed.gateway.l7.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.gateway.l7.EngineTestBase;
import io.meshfed.gateway.l7.config.XdsResources;
import io.meshfed.gateway.l7.testing.Backend;
import io.meshfed.gateway.l7.testing.Xds;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** x-request-id, W3C traceparent and B3 through the gateway hop. */
class TracingTest extends EngineTestBase {

  private int port;

  @BeforeEach
  void serve() throws Exception {
    Backend backend = backend("b");
    apply(XdsResources.builder().listener(Xds.httpListener("l", "r")).route(Xds.catchAll("r", "c"))
        .cluster(Xds.staticCluster("c", "127.0.0.1", backend.port())).build());
    port = port("l");
  }

  private JsonObject upstreamHeaders(String... headers) throws Exception {
    return http.get(port, "h", "/", headers).json().getJsonObject("headers");
  }

  @Test
  void keepsTheTraceIdAndMakesTheGatewaySpanTheParent() throws Exception {
    JsonObject seen = upstreamHeaders("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");

    String traceparent = seen.getString("traceparent");
    assertThat(traceparent).startsWith("00-0af7651916cd43dd8448eb211c80319c-").endsWith("-01");
    assertThat(traceparent.substring(36, 52)).isNotEqualTo("b7ad6b7169203331");
    assertThat(seen.getString("x-b3-traceid")).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(seen.getString("x-b3-parentspanid")).isEqualTo("b7ad6b7169203331");
    assertThat(seen.getString("x-b3-spanid")).isEqualTo(traceparent.substring(36, 52));
  }

  @Test
  void propagatesB3AndAddsTheW3cEquivalent() throws Exception {
    JsonObject seen = upstreamHeaders("x-b3-traceid", "463ac35c9f6413ad48485a3953bb6124",
        "x-b3-spanid", "a2fb4a1d1a96d312", "x-b3-sampled", "1");

    assertThat(seen.getString("x-b3-traceid")).isEqualTo("463ac35c9f6413ad48485a3953bb6124");
    assertThat(seen.getString("x-b3-parentspanid")).isEqualTo("a2fb4a1d1a96d312");
    assertThat(seen.getString("x-b3-sampled")).isEqualTo("1");
    assertThat(seen.getString("traceparent")).startsWith("00-463ac35c9f6413ad48485a3953bb6124-").endsWith("-01");
  }

  @Test
  void startsATraceAndARequestIdWhenTheClientSendsNone() throws Exception {
    JsonObject seen = upstreamHeaders();

    assertThat(seen.getString("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
    assertThat(seen.getString("x-request-id"))
        .matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    assertThat(outcomes.nth(1).requestId()).isEqualTo(seen.getString("x-request-id"));
  }

  @Test
  void replacesAnExternalRequestIdAtTheEdgeAndAppendsTheClientToXForwardedFor() throws Exception {
    JsonObject seen = upstreamHeaders("x-request-id", "client-chosen", "x-forwarded-for", "203.0.113.9",
        "x-envoy-internal", "true");

    // use_remote_address without preserve_external_request_id: Envoy regenerates the id and strips x-envoy-*.
    assertThat(seen.getString("x-request-id")).isNotEqualTo("client-chosen");
    assertThat(seen.getString("x-forwarded-for")).isEqualTo("203.0.113.9,127.0.0.1");
    assertThat(seen.getString("x-forwarded-proto")).isEqualTo("http");
    assertThat(seen.containsKey("x-envoy-internal")).isFalse();
  }

  @Test
  void passesTraceHeadersUntouchedWithoutATracingConfiguration() throws Exception {
    Backend backend = backend("untraced");
    apply(XdsResources.builder()
        .listener(Xds.httpListener("untraced", Xds.hcm("r2").clearTracing().build()))
        .route(Xds.catchAll("r2", "c2")).cluster(Xds.staticCluster("c2", "127.0.0.1", backend.port())).build());

    JsonObject seen = http.get(port("untraced"), "h", "/", "traceparent",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01").json().getJsonObject("headers");
    JsonObject fresh = http.get(port("untraced"), "h", "/").json().getJsonObject("headers");

    // Envoy without `tracing` on its connection manager neither starts traces nor becomes a hop of one.
    assertThat(seen.getString("traceparent")).isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    assertThat(seen.containsKey("x-b3-spanid")).isFalse();
    assertThat(fresh.containsKey("traceparent")).isFalse();
    assertThat(fresh.containsKey("x-b3-traceid")).isFalse();
    assertThat(fresh.getString("x-request-id")).isNotBlank();
  }
}
