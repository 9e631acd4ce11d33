package io.meshfed.control.plane.translate.clusters;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.meshfed.control.plane.istio.DestinationRule;
import io.meshfed.control.plane.istio.DestinationRule.ClientTls;
import io.meshfed.control.plane.translate.clusters.ClusterSpec.Discovery;
import io.meshfed.control.plane.translate.clusters.ClusterSpec.Transport;
import io.meshfed.control.plane.translate.model.Protocol;
import io.meshfed.control.plane.xds.Snapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterBuilderTest {

  private static final List<String> TRUST_DOMAINS = List.of("cluster.local", "old.example");

  private static final EffectivePolicy POOLED = new EffectivePolicy(
      Optional.of(new DestinationRule.LoadBalancer(Optional.empty(), Optional.of(new DestinationRule.ConsistentHash(
          Optional.of("x-user"), Optional.empty(), false, Optional.empty(), Optional.of(2048L), Optional.empty())),
          Optional.empty())),
      Optional.of(new DestinationRule.ConnectionPool(
          Optional.of(new DestinationRule.Tcp(Optional.of(10), Optional.of(Duration.ofSeconds(3)), Optional.empty(),
              Optional.empty())),
          Optional.of(new DestinationRule.Http(Optional.of(5), Optional.empty(), Optional.of(100), Optional.empty(),
              Optional.of(Duration.ofSeconds(30)), DestinationRule.H2UpgradePolicy.UPGRADE, false)))),
      Optional.of(new DestinationRule.OutlierDetection(Optional.of(3), Optional.of(2), Duration.ofSeconds(5),
          Duration.ofSeconds(60), 50, 20)),
      Optional.empty());

  /** Maglev: the only field above the socket matches (43) that a cluster of the gateways can have. */
  private static final EffectivePolicy MAGLEV = new EffectivePolicy(
      Optional.of(new DestinationRule.LoadBalancer(Optional.empty(), Optional.of(new DestinationRule.ConsistentHash(
          Optional.empty(), Optional.empty(), true, Optional.empty(), Optional.empty(), Optional.of(65537L))),
          Optional.empty())),
      Optional.empty(), Optional.empty(), Optional.empty());

  private static final EffectivePolicy LEAST_REQUEST = new EffectivePolicy(
      Optional.of(new DestinationRule.LoadBalancer(Optional.of(DestinationRule.SimpleLb.LEAST_REQUEST),
          Optional.empty(), Optional.empty())),
      Optional.empty(), Optional.empty(),
      Optional.of(new ClientTls(DestinationRule.TlsMode.ISTIO_MUTUAL, Optional.empty(), Optional.empty(),
          Optional.empty(), Optional.empty(), List.of(), Optional.empty(), false)));

  private static ClusterSpec spec(String name, Discovery discovery, Protocol protocol, EffectivePolicy policy,
      Transport transport, String sni, boolean defaultOutlier, boolean lbConfigAllowed, boolean localityWeighted) {
    Optional<ClusterLoadAssignment> inline = discovery == Discovery.EDS ? Optional.empty()
        : Optional.of(ClusterLoadAssignment.newBuilder().setClusterName(name).build());
    Optional<ClientTls> originate = transport == Transport.ORIGINATE
        ? Optional.of(new ClientTls(DestinationRule.TlsMode.SIMPLE, Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), List.of("api.example.com"), Optional.empty(), false))
        : Optional.empty();
    return new ClusterSpec(name, discovery, inline, protocol, policy, transport, sni, TRUST_DOMAINS, originate,
        "api.example.com", defaultOutlier, lbConfigAllowed, localityWeighted);
  }

  /**
   * EDS clusters of every transport, protocol kind (HTTP/1.1 and HTTP/2 options, none for TCP), policy kind
   * (fields below the transport socket, between it and the socket matches, and above them), flag, and name and SNI
   * length (one- and two-byte lengths; an empty name, which is not written); and clusters that are not templated.
   */
  private static List<ClusterSpec> specs() {
    List<ClusterSpec> specs = new ArrayList<>();
    String longName = "outbound|9080|v1|" + "reviews-with-a-long-name.".repeat(8) + "svc.cluster.local";
    String longSni = "outbound_.9080_.v1_." + "reviews-with-a-long-name.".repeat(8) + "svc.cluster.local";
    List<Protocol> protocols = List.of(Protocol.HTTP, Protocol.HTTP2, Protocol.GRPC, Protocol.TCP);
    List<EffectivePolicy> policies = List.of(EffectivePolicy.NONE, POOLED, MAGLEV, LEAST_REQUEST);
    for (String name : List.of("outbound|9080||reviews.default.svc.cluster.local", longName, "")) {
      for (String sni : List.of("outbound_.9080_._.reviews.default.svc.cluster.local", longSni, "")) {
        for (Transport transport : Transport.values()) {
          for (Protocol protocol : protocols) {
            for (EffectivePolicy policy : policies) {
              for (int flags = 0; flags < 8; flags++) {
                specs.add(spec(name, Discovery.EDS, protocol, policy, transport, sni, (flags & 1) != 0,
                    (flags & 2) != 0, (flags & 4) != 0));
              }
            }
          }
          specs.add(spec(name, Discovery.STATIC, Protocol.HTTP, POOLED, transport, sni, false, true, false));
        }
      }
    }
    return specs;
  }

  @Test
  void serialisedClustersAreTheDeterministicSerialisationOfTheBuiltOnes() {
    ClusterBuilder builder = new ClusterBuilder();

    for (ClusterSpec spec : specs()) {
      // Twice: the first call of a template builds it, the second finds it.
      for (int i = 0; i < 2; i++) {
        assertThat(builder.serialize(spec)).as("%s", spec)
            .isEqualTo(Snapshot.deterministicBytes(builder.build(spec)));
      }
    }
  }

  @Test
  void clustersOfOneTemplateKeepTheirOwnNameAndSni() throws Exception {
    ClusterBuilder builder = new ClusterBuilder();
    ClusterSpec first = spec("outbound|80||a.default.svc.cluster.local", Discovery.EDS, Protocol.HTTP,
        EffectivePolicy.NONE, Transport.ISTIO_AUTO, "outbound_.80_._.a.default.svc.cluster.local", false, true,
        false);
    ClusterSpec second = spec("outbound|80||b.other.svc.cluster.local", Discovery.EDS, Protocol.HTTP,
        EffectivePolicy.NONE, Transport.ISTIO_AUTO, "outbound_.80_._.b.other.svc.cluster.local", false, true,
        false);

    Cluster a = Cluster.parseFrom(builder.serialize(first));
    Cluster b = Cluster.parseFrom(builder.serialize(second));

    assertThat(a).isEqualTo(builder.build(first));
    assertThat(b).isEqualTo(builder.build(second));
    assertThat(b.getName()).isEqualTo("outbound|80||b.other.svc.cluster.local");
  }
}
