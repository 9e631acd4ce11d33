package io.meshfed.federation.catalog;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;

/**
 * The catalog's two Hazelcast maps and their configuration: cluster records by cluster id, and exported services by
 * (cluster id, service).
 */
public final class CatalogMaps {

  static final String CLUSTERS = "meshfed.clusters";
  static final String SERVICES = "meshfed.services";

  private final IMap<String, ClusterRecord> clusters;
  private final IMap<EntryKey, CatalogEntry> services;
  private final com.hazelcast.partition.PartitionService partitions;
  private final com.hazelcast.core.LifecycleService lifecycle;

  CatalogMaps(HazelcastInstance hazelcast) {
    this.clusters = hazelcast.getMap(CLUSTERS);
    this.services = hazelcast.getMap(SERVICES);
    this.partitions = hazelcast.getPartitionService();
    this.lifecycle = hazelcast.getLifecycleService();
  }

  /** Whether the member is running: a stopped one throws on every map call, and never runs again. */
  boolean running() {
    return lifecycle.isRunning();
  }

  int partitionOf(EntryKey key) {
    return partitions.getPartition(key).getPartitionId();
  }

  /**
   * Adds the catalog's serializers and map settings to a member's configuration. {@code backups} synchronous backup
   * copies keep the catalog whole when that many members die at once.
   */
  public static Config configure(Config config, int backups) {
    if (backups < 0 || backups > 6) {
      throw new IllegalArgumentException("backups: " + backups + " (expected: 0..6, Hazelcast's limit)");
    }
    CatalogSerializers.register(config.getSerializationConfig());
    for (String name : new String[] {CLUSTERS, SERVICES}) {
      // OBJECT format would keep values deserialised on the owner; BINARY keeps members' heaps to the wire size,
      // and entry processors deserialise one value at a time.
      config.addMapConfig(new MapConfig(name).setBackupCount(backups).setAsyncBackupCount(0)
          .setStatisticsEnabled(true));
    }
    return config;
  }

  IMap<String, ClusterRecord> clusters() {
    return clusters;
  }

  IMap<EntryKey, CatalogEntry> services() {
    return services;
  }
}
