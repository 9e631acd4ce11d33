package io.meshfed.federation.membership;

import com.hazelcast.config.Config;
import com.hazelcast.config.DiscoveryStrategyConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.KubernetesConfig;
import io.meshfed.federation.catalog.CatalogMaps;
import java.net.InetSocketAddress;

/** Hazelcast member configuration for each {@link Membership} form. */
public final class HazelcastConfigs {

  private HazelcastConfigs() {
  }

  /**
   * The configuration of a member; for {@link Membership.Relayed}, {@code publicAddress} is the member's virtual
   * address and {@code discovery} supplies the peers.
   */
  static Config build(MemberSettings settings, InetSocketAddress publicAddress, PeerDiscovery discovery) {
    Config config = new Config().setClusterName(settings.meshId())
        .setInstanceName("meshfed-" + settings.meshId() + "-" + settings.memberName());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    // The control plane closes its member itself, after withdrawing what it must.
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(settings.memberTimeout().toSeconds()));
    config.setProperty("hazelcast.heartbeat.interval.seconds",
        String.valueOf(Math.max(1, settings.memberTimeout().toSeconds() / 5)));
    config.setProperty("hazelcast.merge.first.run.delay.seconds",
        String.valueOf(settings.mergeInterval().toSeconds()));
    config.setProperty("hazelcast.merge.next.run.delay.seconds",
        String.valueOf(settings.mergeInterval().toSeconds()));
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    Membership membership = settings.membership();
    if (membership instanceof Membership.Loopback loopback) {
      bindLoopback(config, loopback.bind());
      join.getTcpIpConfig().setEnabled(true);
      for (InetSocketAddress member : loopback.members()) {
        join.getTcpIpConfig().addMember(member.getAddress().getHostAddress() + ":" + member.getPort());
      }
    } else if (membership instanceof Membership.Kubernetes kubernetes) {
      config.getNetworkConfig().setPort(kubernetes.port()).setPortAutoIncrement(false);
      join.setKubernetesConfig(new KubernetesConfig().setEnabled(true)
          .setProperty("namespace", kubernetes.namespace())
          .setProperty("service-name", kubernetes.serviceName())
          .setProperty("service-port", String.valueOf(kubernetes.port())));
    } else if (membership instanceof Membership.Relayed relayed) {
      bindLoopback(config, new InetSocketAddress("127.0.0.1", relayed.bindPort()));
      // Everyone knows this member by its virtual address; only the local relay ever dials the real one.
      config.getNetworkConfig().setPublicAddress(publicAddress.getAddress().getHostAddress() + ":"
          + publicAddress.getPort());
      config.setProperty("hazelcast.discovery.enabled", "true");
      join.getDiscoveryConfig().addDiscoveryStrategyConfig(new DiscoveryStrategyConfig(discovery));
    }
    CatalogMaps.configure(config, settings.backups());
    return config;
  }

  private static void bindLoopback(Config config, InetSocketAddress bind) {
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.getNetworkConfig().setPort(bind.getPort()).setPortAutoIncrement(false);
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(bind.getAddress().getHostAddress());
  }
}
