package io.meshfed.it.bench.federation;

import io.meshfed.federation.catalog.Endpoint;
import io.meshfed.federation.catalog.EndpointHealth;
import io.meshfed.federation.catalog.ExportedService;
import io.meshfed.federation.catalog.Locality;
import io.meshfed.federation.catalog.ServiceKey;
import io.meshfed.federation.catalog.ServicePort;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Synthetic exports shaped like a real cluster's: labelled endpoints in zones, one HTTP port. */
final class BenchData {

  private BenchData() {
  }

  static ExportedService service(int clusterIndex, int serviceIndex, int endpoints, int generation) {
    ServiceKey key = ServiceKey.of("bench", "svc-" + serviceIndex);
    Map<String, String> labels = Map.of("app", "svc-" + serviceIndex, "version", "v" + (serviceIndex % 3),
        "pod-template-hash", Integer.toHexString(serviceIndex * 31 + generation));
    Locality locality = Locality.of("region-" + clusterIndex, "zone-" + clusterIndex + "-" + serviceIndex % 3, "");
    List<Endpoint> list = new ArrayList<>(endpoints);
    for (int i = 0; i < endpoints; i++) {
      int host = serviceIndex * endpoints + i + generation;
      String address = "10." + (clusterIndex + 1) + "." + (host >> 8 & 0xff) + "." + (host & 0xff);
      list.add(new Endpoint(address, Map.of("http", 8080), locality, labels, EndpointHealth.HEALTHY));
    }
    return ExportedService.withEndpoints(key, List.of(new ServicePort("http", 80, "TCP", "http")), list);
  }

  static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  static String mib(long bytes) {
    return String.format("%.0f MiB", bytes / 1048576.0);
  }
}
