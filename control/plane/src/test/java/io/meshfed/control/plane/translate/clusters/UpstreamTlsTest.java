package io.meshfed.control.plane.translate.clusters;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpstreamTlsTest {

  /** What the Istio mTLS socket is, built as messages. */
  private static TransportSocket built(List<String> trustDomains, String sni) {
    return TransportSocket.newBuilder().setName("envoy.transport_sockets.tls").setTypedConfig(Any.pack(
        UpstreamTlsContext.newBuilder().setSni(sni).setCommonTlsContext(UpstreamTls.istioCommon(trustDomains,
            UpstreamTls.ISTIO_ALPN)).build())).build();
  }

  @Test
  void theIstioSocketIsTheSerialisedContextOfTheCommonPartAndTheSni() throws Exception {
    UpstreamTls.Istio istio = new UpstreamTls.Istio(List.of("cluster.local", "old.example"));
    String sni = "outbound_.9080_.v1_.reviews.default.svc.cluster.local";

    TransportSocket socket = istio.socket(sni);

    assertThat(socket).isEqualTo(built(List.of("cluster.local", "old.example"), sni));
    assertThat(socket.getTypedConfig().unpack(UpstreamTlsContext.class).getSni()).isEqualTo(sni);
    assertThat(istio.socket("")).isEqualTo(built(List.of("cluster.local", "old.example"), ""));
  }

  @Test
  void eachTrustDomainIsAcceptedFromPeers() throws Exception {
    UpstreamTlsContext context = new UpstreamTls.Istio(List.of("a.example", "b.example")).socket("x")
        .getTypedConfig().unpack(UpstreamTlsContext.class);

    assertThat(context.getCommonTlsContext().getCombinedValidationContext().getDefaultValidationContext()
        .getMatchTypedSubjectAltNamesList()).extracting(m -> m.getMatcher().getPrefix())
        .containsExactly("spiffe://a.example/", "spiffe://b.example/");
    assertThat(context.getCommonTlsContext().getAlpnProtocolsList()).isEqualTo(UpstreamTls.ISTIO_ALPN);
  }
}
