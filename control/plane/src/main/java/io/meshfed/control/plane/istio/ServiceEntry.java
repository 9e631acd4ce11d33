package io.meshfed.control.plane.istio;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Istio's ServiceEntry (networking.istio.io): adds a service to the mesh's registry. */
public record ServiceEntry(ResourceMeta meta, List<String> hosts, List<String> addresses, List<ServicePort> ports,
    Location location, Resolution resolution, List<WorkloadEntry> endpoints, List<String> exportTo,
    List<String> subjectAltNames) implements ConfigResource {

  public ServiceEntry {
    hosts = List.copyOf(hosts);
    addresses = List.copyOf(addresses);
    ports = List.copyOf(ports);
    endpoints = List.copyOf(endpoints);
    exportTo = List.copyOf(exportTo);
    subjectAltNames = List.copyOf(subjectAltNames);
  }

  /** {@code MESH_EXTERNAL} (the default) is outside the mesh: no mesh mTLS is used to reach it. */
  public enum Location { MESH_EXTERNAL, MESH_INTERNAL }

  /**
   * {@code NONE} (the default): forward to the original destination address; {@code STATIC}: the endpoints' IPs;
   * {@code DNS}: resolve the endpoints (or the hosts, without endpoints) asynchronously.
   */
  public enum Resolution { NONE, STATIC, DNS }

  /** A port of the entry; {@code protocol} TCP when unset. */
  public record ServicePort(int number, Gateway.Protocol protocol, String name, Optional<Integer> targetPort) {
  }

  /**
   * @param ports port name → endpoint port, overriding the service port number
   * @param locality {@code region/zone/subzone}
   */
  public record WorkloadEntry(String address, Map<String, Integer> ports, Map<String, String> labels,
      Optional<String> network, Optional<String> locality, Optional<Integer> weight,
      Optional<String> serviceAccount) {

    public WorkloadEntry {
      ports = Map.copyOf(ports);
      labels = Map.copyOf(labels);
    }
  }
}
