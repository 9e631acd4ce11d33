package io.meshfed.federation.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Values survive the catalog's wire form, including endpoints that share or differ in labels and localities. */
class CatalogSerializersTest {

  @Test
  void entriesRoundTripWithSharedAndDistinctEndpointAttributes() {
    try (LoopbackMembers members = new LoopbackMembers(1)) {
      HazelcastInstance member = members.start(0);
      ServiceKey key = ServiceKey.of("default", "reviews");
      Map<String, String> v1 = Map.of("app", "reviews", "version", "v1");
      Map<String, String> v2 = Map.of("app", "reviews", "version", "v2");
      Locality zoneA = Locality.of("eu", "eu-1a", "");
      Locality zoneB = Locality.of("eu", "eu-1b", "rack-2");
      List<Endpoint> endpoints = List.of(
          new Endpoint("10.0.0.1", Map.of("http", 9080), zoneA, v1, EndpointHealth.HEALTHY),
          new Endpoint("10.0.0.2", Map.of("http", 9080), zoneB, v2, EndpointHealth.DRAINING),
          new Endpoint("10.0.0.3", Map.of("http", 9081, "grpc", 9090), zoneA, v1, EndpointHealth.UNHEALTHY),
          new Endpoint("10.0.0.4", Map.of(), Locality.UNKNOWN, Map.of(), EndpointHealth.HEALTHY));
      CatalogEntry entry = new CatalogEntry("east", 7, 42, ExportedService.withEndpoints(key,
          List.of(new ServicePort("http", 9080, "TCP", "http"), new ServicePort("", 9090, "UDP", "")), endpoints));
      ClusterRecord record = new ClusterRecord(new ClusterInfo("east", "net-1", zoneA,
          List.of(new GatewayAddress("gw.east.example", 15443), GatewayAddress.parse("[2001:db8::1]:15443")), "0.1"),
          "east-0", 7, 123, true);

      IMap<EntryKey, CatalogEntry> services = member.getMap(CatalogMaps.SERVICES);
      services.put(entry.key(), entry);
      IMap<String, ClusterRecord> clusters = member.getMap(CatalogMaps.CLUSTERS);
      clusters.put("east", record);

      CatalogEntry read = services.get(entry.key());
      assertThat(read).isEqualTo(entry);
      assertThat(read.service().endpoints().get(0).labels()).isSameAs(read.service().endpoints().get(2).labels());
      assertThat(clusters.get("east")).isEqualTo(record);
      assertThat(ExportedService.viaGateway(key, List.of(), 3)).satisfies(gateway -> {
        services.put(new EntryKey("west", key), new CatalogEntry("west", 1, 1, gateway));
        assertThat(services.get(new EntryKey("west", key)).service()).isEqualTo(gateway);
      });
    }
  }
}
