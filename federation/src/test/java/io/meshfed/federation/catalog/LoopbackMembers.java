package io.meshfed.federation.catalog;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.meshfed.federation.testing.FreePorts;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Embedded Hazelcast members on loopback for catalog tests: unique cluster name, TCP/IP join, fast failure detection. */
final class LoopbackMembers implements AutoCloseable {

  private final String clusterName = "test-" + UUID.randomUUID();
  private final List<Integer> ports = new ArrayList<>();
  private final List<HazelcastInstance> started = new ArrayList<>();
  private final java.util.Map<Integer, HazelcastInstance> current = new java.util.HashMap<>();

  LoopbackMembers(int expected) {
    for (int i = 0; i < expected; i++) {
      ports.add(FreePorts.onLoopback());
    }
  }

  /** Starts (or restarts) member {@code index}. */
  HazelcastInstance start(int index) {
    Config config = new Config().setClusterName(clusterName).setInstanceName(clusterName + "-" + index + "-"
        + UUID.randomUUID());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    // A killed member is noticed within seconds, so partitions it owned move to survivors quickly.
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", "4");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.getNetworkConfig().setPort(ports.get(index)).setPortAutoIncrement(false);
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true);
    for (int port : ports) {
      join.getTcpIpConfig().addMember("127.0.0.1:" + port);
    }
    CatalogMaps.configure(config, 1);
    HazelcastInstance instance = Hazelcast.newHazelcastInstance(config);
    started.add(instance);
    current.put(index, instance);
    return instance;
  }

  /** The running member {@code index}. */
  HazelcastInstance get(int index) {
    return current.get(index);
  }

  @Override
  public void close() {
    for (HazelcastInstance instance : started) {
      try {
        instance.getLifecycleService().terminate();
      } catch (RuntimeException ignored) {
        // already gone
      }
    }
  }
}
