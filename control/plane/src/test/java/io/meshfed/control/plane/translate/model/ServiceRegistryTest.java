package io.meshfed.control.plane.translate.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.federation.catalog.ClusterExport;
import io.meshfed.federation.catalog.FederatedService;
import io.meshfed.federation.catalog.Locality;
import io.meshfed.federation.catalog.Reach;
import io.meshfed.federation.catalog.ServiceKey;
import io.meshfed.federation.catalog.ServicePort;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ServiceRegistryTest {

  private static final String SUFFIX = "cluster.local";

  private static ServiceKey key(int i) {
    return ServiceKey.of("ns-" + i % 7, "svc-" + i);
  }

  /** A service exported by cluster west only, with {@code healthy} endpoints (its revision). */
  private static FederatedService remote(int i, int healthy) {
    ClusterExport west = new ClusterExport("west", "net-west", Locality.of("us-west", "", ""), Reach.GATEWAY,
        List.of(new ServicePort("http", 8080, "TCP", null)), List.of(), List.of(), healthy, false, 1, healthy);
    return new FederatedService(key(i), Map.of("west", west));
  }

  private static ServiceRegistry.Inputs inputs(Map<ServiceKey, FederatedService> catalog) {
    return new ServiceRegistry.Inputs("east", SUFFIX, List.of(), Map.of(), Map.of(), Map.copyOf(catalog), List.of());
  }

  /** Everything a reader sees of {@code derived} is what a registry built from the same inputs shows. */
  private static void assertReadsAs(ServiceRegistry derived, ServiceRegistry built, int names) {
    assertThat(derived.size()).isEqualTo(built.size());
    assertThat(derived.all()).containsExactlyInAnyOrderElementsOf(built.all().stream()
        .map(s -> derived.get(s.fqdn())).toList());
    assertThat(derived.sorted().stream().map(MeshService::fqdn).toList())
        .isEqualTo(built.sorted().stream().map(MeshService::fqdn).toList());
    for (int i = 0; i < names; i++) {
      String fqdn = key(i).hostname(SUFFIX);
      MeshService expected = built.get(fqdn);
      MeshService actual = derived.get(fqdn);
      assertThat(actual == null).as(fqdn).isEqualTo(expected == null);
      if (expected != null) {
        assertThat(actual.remote()).as(fqdn).isEqualTo(expected.remote());
        assertThat(derived.exists(fqdn)).isTrue();
        assertThat(derived.lookup(fqdn, "any")).isPresent();
      } else {
        assertThat(derived.exists(fqdn)).isFalse();
        assertThat(derived.lookup(fqdn, "any")).isEmpty();
      }
    }
  }

  @Test
  void endpointChangesGiveTheRegistryABuildFromTheSameInputsGives() {
    Random random = new Random(11);
    Map<ServiceKey, FederatedService> catalog = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      catalog.put(key(i), remote(i, 1));
    }
    ServiceRegistry registry = ServiceRegistry.build(inputs(catalog), null);
    int folds = 0;
    // Enough rounds that the changes held apart pass the point where they are folded into a copy, more than once.
    for (int round = 0; round < 200; round++) {
      int i = random.nextInt(320); // some names beyond the first 300: services that appear
      if (random.nextInt(4) == 0) {
        catalog.remove(key(i)); // the only exporting cluster withdrew it: the service goes
      } else {
        catalog.put(key(i), remote(i, 2 + round));
      }
      ServiceRegistry derived = registry.withChanges(Set.of(key(i)), inputs(catalog));
      assertReadsAs(derived, ServiceRegistry.build(inputs(catalog), null), 320);
      // The derived registry reuses what did not change.
      int other = (i + 1) % 300;
      assertThat(derived.get(key(other).hostname(SUFFIX))).isSameAs(registry.get(key(other).hostname(SUFFIX)));
      if (registry.changesHeldApart() > 0 && derived.changesHeldApart() == 0) {
        folds++;
      }
      registry = derived;
    }
    assertThat(folds).isGreaterThan(1);
  }

  @Test
  void aRegistryBuiltFromADerivedOneReusesItsServices() {
    Map<ServiceKey, FederatedService> catalog = new HashMap<>();
    for (int i = 0; i < 100; i++) {
      catalog.put(key(i), remote(i, 1));
    }
    ServiceRegistry registry = ServiceRegistry.build(inputs(catalog), null);
    catalog.put(key(3), remote(3, 5));
    catalog.remove(key(4));
    ServiceRegistry derived = registry.withChanges(Set.of(key(3), key(4)), inputs(catalog));
    assertThat(derived.changesHeldApart()).isEqualTo(2);

    ServiceRegistry rebuilt = ServiceRegistry.build(inputs(catalog), derived);

    assertReadsAs(rebuilt, ServiceRegistry.build(inputs(catalog), null), 100);
    for (int i = 0; i < 100; i++) {
      String fqdn = key(i).hostname(SUFFIX);
      assertThat(rebuilt.get(fqdn)).isSameAs(derived.get(fqdn)); // the same inputs: the same instances
    }
  }
}
