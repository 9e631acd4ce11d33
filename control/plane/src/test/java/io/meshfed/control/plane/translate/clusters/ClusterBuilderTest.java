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

  private static ClusterSpec spec(String name, Discovery discovery, Protocol protocol, EffectivePolicy policy,
      Transport transport, String sni, boolean defaultOutlier, boolean localityWeighted) {
    Optional<ClusterLoadAssignment> inline = discovery == Discovery.EDS ? Optional.empty()
        : Optional.of(ClusterLoadAssignment.newBuilder().setClusterName(name).build());
    Optional<ClientTls> originate = transport == Transport.ORIGINATE
        ? Optional.of(new ClientTls(DestinationRule.TlsMode.SIMPLE, Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), List.of("api.example.com"), Optional.empty(), false))
        : Optional.empty();
    return new ClusterSpec(name, discovery, inline, protocol, policy, transport, sni, TRUST_DOMAINS, originate,
        "api.example.com", defaultOutlier, true, localityWeighted);
  }

  /** Every combination the templates split on, with names and SNIs short and long (one- and two-byte lengths). */
  private static List<ClusterSpec> specs() {
    List<ClusterSpec> specs = new ArrayList<>();
    String longName = "outbound|9080|v1|" + "reviews-with-a-long-name.".repeat(8) + "svc.cluster.local";
    for (String name : List.of("outbound|9080||reviews.default.svc.cluster.local", longName)) {
      for (Transport transport : Transport.values()) {
        for (Protocol protocol : List.of(Protocol.HTTP, Protocol.HTTP2, Protocol.TCP)) {
          for (EffectivePolicy policy : List.of(EffectivePolicy.NONE, POOLED)) {
            for (boolean flags : List.of(false, true)) {
              String sni = flags ? "" : "outbound_.9080_._." + name.substring(name.lastIndexOf('|') + 1);
              specs.add(spec(name, Discovery.EDS, protocol, policy, transport, sni, flags, !flags));
            }
          }
        }
        specs.add(spec(name, Discovery.STATIC, Protocol.HTTP, EffectivePolicy.NONE, transport, "sni", false, false));
      }
    }
    return specs;
  }

  @Test
  void serialisedClustersAreTheDeterministicSerialisationOfTheBuiltOnes() {
    ClusterBuilder builder = new ClusterBuilder();

    for (ClusterSpec spec : specs()) {
      // Twice: the first call of a shape builds its template, the second writes from it.
      for (int i = 0; i < 2; i++) {
        assertThat(builder.serialize(spec)).as("%s", spec)
            .isEqualTo(Snapshot.deterministicBytes(builder.build(spec)));
      }
    }
  }

  @Test
  void clustersOfOneShapeKeepTheirOwnNameAndSni() throws Exception {
    ClusterBuilder builder = new ClusterBuilder();
    ClusterSpec first = spec("outbound|80||a.default.svc.cluster.local", Discovery.EDS, Protocol.HTTP,
        EffectivePolicy.NONE, Transport.ISTIO_AUTO, "outbound_.80_._.a.default.svc.cluster.local", false, false);
    ClusterSpec second = spec("outbound|80||b.other.svc.cluster.local", Discovery.EDS, Protocol.HTTP,
        EffectivePolicy.NONE, Transport.ISTIO_AUTO, "outbound_.80_._.b.other.svc.cluster.local", false, false);

    Cluster a = Cluster.parseFrom(builder.serialize(first));
    Cluster b = Cluster.parseFrom(builder.serialize(second));

    assertThat(a).isEqualTo(builder.build(first));
    assertThat(b).isEqualTo(builder.build(second));
    assertThat(b.getName()).isEqualTo("outbound|80||b.other.svc.cluster.local");
  }
}
