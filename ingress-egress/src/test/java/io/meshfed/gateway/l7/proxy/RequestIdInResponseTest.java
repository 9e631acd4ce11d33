package io.meshfed.gateway.l7.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.gateway.l7.EngineTestBase;
import io.meshfed.gateway.l7.L7Engine;
import io.meshfed.gateway.l7.Role;
import io.meshfed.gateway.l7.config.XdsResources;
import io.meshfed.gateway.l7.testing.Await;
import io.meshfed.gateway.l7.testing.Backend;
import io.meshfed.gateway.l7.testing.Http;
import io.meshfed.gateway.l7.testing.Xds;
import org.junit.jupiter.api.Test;

/**
 * Envoy's {@code always_set_request_id_in_response}: the client gets the {@code x-request-id} the upstream and the
 * access log saw, so it can hand it to {@code meshfed explain}. The ingress role always does it; other roles when the
 * HTTP connection manager says so.
 */
class RequestIdInResponseTest extends EngineTestBase {

  private XdsResources config(Backend backend, boolean preserve, boolean always) {
    return XdsResources.builder()
        .listener(Xds.httpListener("l", Xds.hcm("r").setPreserveExternalRequestId(preserve)
            .setAlwaysSetRequestIdInResponse(always).build()))
        .route(Xds.routes("r", Xds.vhost("b", java.util.List.of("b"), Xds.route(Xds.prefix("/"), "c"))))
        .cluster(Xds.staticCluster("c", "127.0.0.1", backend.port())).build();
  }

  @Test
  void theIngressReturnsTheIdTheUpstreamAndTheAccessLogSaw() throws Exception {
    Backend backend = backend("b");
    apply(config(backend, false, false));

    Http.Response response = http.get(port("l"), "b", "/");
    String returned = response.header("x-request-id");
    assertThat(returned).isNotBlank();
    assertThat(response.json().getJsonObject("headers").getString("x-request-id")).isEqualTo(returned);
    assertThat(outcomes.nth(1).requestId()).isEqualTo(returned);
  }

  @Test
  void localRepliesCarryTheIdToo() throws Exception {
    apply(config(backend("b"), false, false));

    Http.Response noRoute = http.get(port("l"), "nowhere", "/");
    assertThat(noRoute.status()).isEqualTo(404);
    assertThat(noRoute.header("x-request-id")).isNotBlank().isEqualTo(outcomes.nth(1).requestId());
  }

  @Test
  void aPreservedClientIdComesBackUnchanged() throws Exception {
    Backend backend = backend("b");
    apply(config(backend, true, false));

    Http.Response response = http.get(port("l"), "b", "/", "x-request-id", "client-chosen-7");
    assertThat(response.header("x-request-id")).isEqualTo("client-chosen-7");
    assertThat(response.json().getJsonObject("headers").getString("x-request-id")).isEqualTo("client-chosen-7");
  }

  @Test
  void theEgressReturnsTheIdOnlyWhenTheConnectionManagerAsks() throws Exception {
    Backend backend = backend("b");
    L7Engine egress = L7Engine.builder(vertx).role(Role.EGRESS).workers(1).build();
    try {
      assertThat(Await.result(egress.apply(config(backend, false, false))).accepted()).isTrue();
      assertThat(http.get(egress.port("l"), "b", "/").header("x-request-id")).isNull();

      assertThat(Await.result(egress.apply(config(backend, false, true))).accepted()).isTrue();
      // A new connection: open ones keep the filter chain they were accepted with, as in Envoy.
      try (Http fresh = new Http(vertx)) {
        assertThat(fresh.get(egress.port("l"), "b", "/").header("x-request-id")).isNotBlank();
      }
    } finally {
      Await.result(egress.close());
    }
  }
}
