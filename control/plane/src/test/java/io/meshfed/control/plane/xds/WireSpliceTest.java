package io.meshfed.control.plane.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireSpliceTest {

    private static FilterChain chain(String sni) {
        return FilterChain.newBuilder().setName(sni)
                .setFilterChainMatch(FilterChainMatch.newBuilder().addServerNames(sni)).build();
    }

    @Test
    void givesTheWholeMessagesSerialisationWithFieldsOnBothSides() {
        // name (1) and address (2) come before filter_chains (3), listener_filters (9) after it.
        Listener shell = Listener.newBuilder().setName("0.0.0.0_15443")
                .setAddress(Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress("0.0.0.0")
                        .setPortValue(15443)))
                .addListenerFilters(ListenerFilter.newBuilder().setName("envoy.filters.listener.tls_inspector"))
                .build();
        List<FilterChain> chains = List.of(chain("a.svc"), chain("b.svc"), chain("outbound_.80_._.c.svc"));

        byte[] spliced = WireSplice.withRepeated(Snapshot.deterministicBytes(shell),
                Listener.FILTER_CHAINS_FIELD_NUMBER, chains.stream().map(Snapshot::deterministicBytes).toList());

        assertThat(spliced).isEqualTo(Snapshot.deterministicBytes(shell.toBuilder().addAllFilterChains(chains)
                .build()));
    }

    @Test
    void appendsWhenNoFieldComesAfterIt() {
        RouteConfiguration shell = RouteConfiguration.newBuilder().setName("outbound.15001").build();
        List<VirtualHost> hosts = List.of(VirtualHost.newBuilder().setName("a:80").addDomains("a").build(),
                VirtualHost.newBuilder().setName("b:80").addDomains("b").build());

        byte[] spliced = WireSplice.withRepeated(Snapshot.deterministicBytes(shell),
                RouteConfiguration.VIRTUAL_HOSTS_FIELD_NUMBER, hosts.stream().map(Snapshot::deterministicBytes)
                        .toList());

        assertThat(spliced).isEqualTo(Snapshot.deterministicBytes(shell.toBuilder().addAllVirtualHosts(hosts)
                .build()));
    }

    @Test
    void emptyElementsAndAnEmptyShellAreMessagesToo() {
        byte[] spliced = WireSplice.withRepeated(new byte[0], Listener.FILTER_CHAINS_FIELD_NUMBER,
                List.of(Snapshot.deterministicBytes(FilterChain.getDefaultInstance())));

        assertThat(spliced).isEqualTo(Snapshot.deterministicBytes(Listener.newBuilder()
                .addFilterChains(FilterChain.getDefaultInstance()).build()));
    }

    @Test
    void refusesAShellThatHasTheFieldAlready() {
        byte[] shell = Snapshot.deterministicBytes(Listener.newBuilder().setName("l").addFilterChains(chain("a"))
                .build());

        assertThatThrownBy(() -> WireSplice.withRepeated(shell, Listener.FILTER_CHAINS_FIELD_NUMBER, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already has field 3");
    }
}
