package io.meshfed.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoSettingsTest {

  @Test
  void defaultsAreTwoClustersOnTheirOwnSubnets() {
    DemoSettings settings = DemoSettings.builder(Path.of("x")).build();
    List<DemoCluster> clusters = settings.topology();
    assertThat(clusters).extracting(DemoCluster::name).containsExactly("east", "west");
    DemoCluster east = clusters.get(0);
    DemoCluster west = clusters.get(1);
    assertThat(east.ingressUrl()).isEqualTo("http://127.0.1.1:8080");
    assertThat(east.eastWestAddress()).isEqualTo("127.0.1.2:15443");
    assertThat(east.adminUrl()).isEqualTo("http://127.0.1.3:15014");
    assertThat(west.ingressUrl()).isEqualTo("http://127.0.2.1:8080");
    assertThat(east.services()).containsExactly("reviews");
    assertThat(west.services()).containsExactly("reviews", "ratings");
    assertThat(west.workloadHost(new SampleWorkload("west", "ratings", "v1"))).isEqualTo("127.0.2.12");
    assertThat(settings.dir()).isAbsolute();
  }

  @Test
  void aDemoOnOtherSubnetsIsAnotherMeshSoItsVirtualAddressesDiffer() {
    assertThat(DemoSettings.builder(Path.of("x")).build().meshId()).isEqualTo("meshfed-demo");
    assertThat(DemoSettings.builder(Path.of("x")).firstSubnet(41).build().meshId()).isEqualTo("meshfed-demo-41");
    assertThat(DemoSettings.builder(Path.of("x")).firstSubnet(41).meshId("mine").build().meshId())
        .isEqualTo("mine");
  }

  @Test
  void firstSubnetMovesEveryCluster() {
    List<DemoCluster> clusters = DemoSettings.builder(Path.of("x")).firstSubnet(41).ingressPort(18080).build()
        .topology();
    assertThat(clusters).extracting(DemoCluster::ingressUrl)
        .containsExactly("http://127.0.41.1:18080", "http://127.0.42.1:18080");
  }

  @Test
  void badValuesNameTheOptionAndWhatIsExpected() {
    DemoSettings.Builder builder = DemoSettings.builder(Path.of("x"));
    assertThatThrownBy(() -> builder.clusters(1)).hasMessageStartingWith("--clusters: 1 (expected: 2");
    assertThatThrownBy(() -> builder.ingressPort(15443)).hasMessageStartingWith("--ingress-port: 15443 (expected:");
    assertThatThrownBy(() -> builder.ingressPort(70000)).hasMessageStartingWith("--ingress-port: 70000 (expected:");
    assertThatThrownBy(() -> builder.firstSubnet(0)).hasMessageStartingWith("--first-subnet: 0 (expected:");
    assertThatThrownBy(() -> builder.clusters(10)).hasMessageStartingWith("--clusters: 10 (expected: 2..9");
    assertThatThrownBy(() -> builder.workloadCertTtl(java.time.Duration.ofSeconds(5)))
        .hasMessageStartingWith("--workload-cert-ttl: 5s (expected: at least 30s");
    assertThatThrownBy(() -> DemoSettings.builder(Path.of("x")).firstSubnet(250).clusters(9).build())
        .hasMessageStartingWith("--first-subnet: 250 (expected: at most 246 with --clusters 9");
  }

  @Test
  void moreClustersTakeTheNextNamesAndSubnetsAndOnlyWestRunsRatings() {
    List<DemoCluster> clusters = DemoSettings.builder(Path.of("x")).clusters(5).build().topology();
    assertThat(clusters).extracting(DemoCluster::name)
        .containsExactly("east", "west", "north", "south", "cluster-5");
    assertThat(clusters).extracting(DemoCluster::ingressUrl).containsExactly("http://127.0.1.1:8080",
        "http://127.0.2.1:8080", "http://127.0.3.1:8080", "http://127.0.4.1:8080", "http://127.0.5.1:8080");
    assertThat(clusters.get(2).services()).containsExactly("reviews");
    assertThat(clusters.get(1).services()).containsExactly("reviews", "ratings");
  }

  @Test
  void eachRelayServesTheNextClusterSoEveryVirtualAddressIsServedOnce() {
    List<String> names = List.of("east", "west", "north");
    assertThat(names).extracting(name -> ControlPlaneFile.relayPeer(name, names))
        .containsExactly("west", "north", "east");
    assertThat(ControlPlaneFile.relayPeer("west", List.of("east", "west"))).isEqualTo("east");
  }
}
