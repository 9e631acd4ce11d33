package io.meshfed.federation.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.meshfed.federation.testing.FreePorts;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The dependency recipe on this machine: two embedded Hazelcast members form a cluster on loopback. */
class HazelcastRecipeTest {

  private HazelcastInstance first;
  private HazelcastInstance second;

  @AfterEach
  void shutdown() {
    if (second != null) {
      second.shutdown();
    }
    if (first != null) {
      first.shutdown();
    }
  }

  @Test
  void twoEmbeddedMembersFormOneClusterOnLoopback() {
    // A unique cluster name keeps concurrent test runs on this machine from joining each other.
    String clusterName = "recipe-" + UUID.randomUUID();
    int firstPort = FreePorts.onLoopback();
    int secondPort = FreePorts.onLoopback();

    first = Hazelcast.newHazelcastInstance(member(clusterName, firstPort, secondPort));
    second = Hazelcast.newHazelcastInstance(member(clusterName, secondPort, firstPort));

    assertThat(first.getCluster().getMembers()).hasSize(2);
    first.getMap("catalog").put("east", "alive");
    assertThat(second.getMap("catalog").get("east")).isEqualTo("alive");
  }

  private static Config member(String clusterName, int port, int peerPort) {
    Config config = new Config().setClusterName(clusterName);
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true)
        .addMember("127.0.0.1:" + port)
        .addMember("127.0.0.1:" + peerPort);
    return config;
  }
}
