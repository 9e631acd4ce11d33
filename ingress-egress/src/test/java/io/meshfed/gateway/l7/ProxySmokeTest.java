package io.meshfed.gateway.l7;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.gateway.l7.config.XdsResources;
import io.meshfed.gateway.l7.testing.Backend;
import io.meshfed.gateway.l7.testing.Http;
import io.meshfed.gateway.l7.testing.Xds;
import org.junit.jupiter.api.Test;

class ProxySmokeTest extends EngineTestBase {

  @Test
  void forwardsARequestToAStaticClusterAndReportsItsOutcome() throws Exception {
    Backend backend = backend("v1");
    apply(XdsResources.builder()
        .listener(Xds.httpListener("0.0.0.0_8080", "http.8080"))
        .route(Xds.catchAll("http.8080", "outbound|9080||reviews"))
        .cluster(Xds.staticCluster("outbound|9080||reviews", "127.0.0.1", backend.port()))
        .build());

    Http.Response response = http.get(port("0.0.0.0_8080"), "reviews", "/reviews/1?x=1");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().getString("backend")).isEqualTo("v1");
    assertThat(response.json().getString("uri")).isEqualTo("/reviews/1?x=1");
    assertThat(response.json().getJsonObject("headers").getString("x-request-id")).isNotBlank();
    assertThat(response.json().getJsonObject("headers").getString("traceparent")).startsWith("00-");
    assertThat(response.header("x-meshfed-flags")).isNull();
    var outcome = outcomes.nth(1);
    assertThat(outcome.responseCode()).isEqualTo(200);
    assertThat(outcome.responseFlags()).isEqualTo("-");
    assertThat(outcome.upstreamCluster()).isEqualTo("outbound|9080||reviews");
    assertThat(outcome.upstreamHost()).isEqualTo("127.0.0.1:" + backend.port());
  }
}
