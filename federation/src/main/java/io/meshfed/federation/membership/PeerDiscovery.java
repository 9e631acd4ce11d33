package io.meshfed.federation.membership;

import com.hazelcast.cluster.Address;
import com.hazelcast.config.properties.PropertyDefinition;
import com.hazelcast.logging.ILogger;
import com.hazelcast.spi.discovery.AbstractDiscoveryStrategy;
import com.hazelcast.spi.discovery.DiscoveryNode;
import com.hazelcast.spi.discovery.DiscoveryStrategy;
import com.hazelcast.spi.discovery.DiscoveryStrategyFactory;
import com.hazelcast.spi.discovery.SimpleDiscoveryNode;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hazelcast discovery (its public Discovery SPI) over the relay's current peer set: Hazelcast asks on every join
 * attempt and split-brain merge search, so peers added at runtime (a new remote-cluster Secret) are found without a
 * restart, which a static TCP/IP member list cannot do.
 */
final class PeerDiscovery implements DiscoveryStrategyFactory {

  private volatile Set<InetSocketAddress> peers = Set.of();

  void peers(Set<InetSocketAddress> virtualAddresses) {
    this.peers = Set.copyOf(virtualAddresses);
  }

  @Override
  public Class<? extends DiscoveryStrategy> getDiscoveryStrategyType() {
    return Strategy.class;
  }

  @Override
  public DiscoveryStrategy newDiscoveryStrategy(DiscoveryNode self, ILogger logger,
      Map<String, Comparable> properties) {
    return new Strategy(logger, properties);
  }

  @Override
  public Collection<PropertyDefinition> getConfigurationProperties() {
    return List.of();
  }

  private final class Strategy extends AbstractDiscoveryStrategy {
    Strategy(ILogger logger, Map<String, Comparable> properties) {
      super(logger, properties);
    }

    @Override
    public Iterable<DiscoveryNode> discoverNodes() {
      List<DiscoveryNode> nodes = new ArrayList<>();
      for (InetSocketAddress peer : peers) {
        nodes.add(new SimpleDiscoveryNode(new Address(peer)));
      }
      return nodes;
    }
  }
}
