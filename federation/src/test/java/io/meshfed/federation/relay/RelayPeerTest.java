package io.meshfed.federation.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RelayPeerTest {

  @Test
  void aSecretsFederationEndpointBecomesAPeerNamedAfterTheCluster() {
    assertThat(RelayPeer.fromEndpoint("west", "federation.west.example:5701"))
        .isEqualTo(new RelayPeer("west", "federation.west.example", 5701));
    assertThat(RelayPeer.fromEndpoint("west", "[2001:db8::1]:5701").host()).isEqualTo("2001:db8::1");
  }

  @Test
  void virtualAddressesAreStableLoopbackAndNeverLocalhost() {
    var first = VirtualAddresses.of("mesh1", "west", 5701);
    assertThat(first).isEqualTo(VirtualAddresses.of("mesh1", "west", 5701));
    assertThat(first.getAddress().isLoopbackAddress()).isTrue();
    assertThat(first.getAddress().getHostAddress()).doesNotStartWith("127.0.");
    assertThat(VirtualAddresses.of("mesh1", "east", 5701)).isNotEqualTo(first);
    // Another mesh's "west" on the same host must not bind the same address.
    assertThat(VirtualAddresses.of("mesh2", "west", 5701)).isNotEqualTo(first);
  }

  @Test
  void anEndpointWithoutAPortIsRefusedNamingThePeer() {
    assertThatThrownBy(() -> RelayPeer.fromEndpoint("west", "federation.west.example"))
        .hasMessage("peer west endpoint: federation.west.example (expected: host:port)");
  }
}
