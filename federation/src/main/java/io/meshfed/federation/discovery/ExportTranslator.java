package io.meshfed.federation.discovery;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.meshfed.federation.catalog.Endpoint;
import io.meshfed.federation.catalog.EndpointHealth;
import io.meshfed.federation.catalog.ExportedService;
import io.meshfed.federation.catalog.Locality;
import io.meshfed.federation.catalog.Reach;
import io.meshfed.federation.catalog.ServiceKey;
import io.meshfed.federation.catalog.ServicePort;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** One exported Service, its EndpointSlices and their Pods → the catalog's {@link ExportedService}. Pure. */
final class ExportTranslator {

  /** Istio's pod label for the full locality, {@code region.zone.subzone} ("Locality load balancing"). */
  static final String ISTIO_LOCALITY = "istio-locality";
  /** Istio's pod label for the sub-zone, which Kubernetes has no field for. */
  static final String ISTIO_SUBZONE = "topology.istio.io/subzone";

  private ExportTranslator() {
  }

  static ExportedService translate(ServiceKey key, Service service, Collection<EndpointSlice> slices,
      Function<ObjectKey, Pod> pods, ExportSettings settings) {
    List<ServicePort> ports = new ArrayList<>();
    for (io.fabric8.kubernetes.api.model.ServicePort port : service.getSpec().getPorts()) {
      ports.add(new ServicePort(port.getName(), port.getPort(), port.getProtocol(), port.getAppProtocol()));
    }
    // The same address can appear in two slices while the controller moves it; the ready copy wins.
    Map<String, Endpoint> byAddress = new LinkedHashMap<>();
    for (EndpointSlice slice : slices) {
      if ("FQDN".equals(slice.getAddressType())) {
        continue;
      }
      Map<String, Integer> targetPorts = targetPorts(slice);
      for (io.fabric8.kubernetes.api.model.discovery.v1.Endpoint endpoint : slice.getEndpoints()) {
        if (endpoint.getAddresses() == null || endpoint.getAddresses().isEmpty()) {
          continue;
        }
        // "These are all assumed to be fungible and clients may choose to only use the first element."
        // (EndpointSlice API reference, endpoints[].addresses)
        String address = endpoint.getAddresses().get(0);
        Pod pod = pod(endpoint.getTargetRef(), key.namespace(), pods);
        Map<String, String> labels = pod == null || pod.getMetadata().getLabels() == null
            ? Map.of() : pod.getMetadata().getLabels();
        Endpoint translated = new Endpoint(address, targetPorts,
            locality(endpoint.getZone(), labels, settings.clusterLocality()), labels, health(endpoint.getConditions()));
        Endpoint existing = byAddress.get(address);
        if (existing == null || existing.health() != EndpointHealth.HEALTHY) {
          byAddress.put(address, translated);
        }
      }
    }
    List<Endpoint> endpoints = new ArrayList<>(byAddress.values());
    // Sorted, so the same state always yields an equal entry whatever order slices and informers delivered it in.
    endpoints.sort(Comparator.comparing(Endpoint::address));
    if (settings.reach() == Reach.GATEWAY) {
      int healthy = (int) endpoints.stream().filter(e -> e.health() == EndpointHealth.HEALTHY).count();
      return ExportedService.viaGateway(key, ports, healthy);
    }
    return ExportedService.withEndpoints(key, ports, endpoints);
  }

  /**
   * EndpointSlice conditions: {@code ready} unset means ready; {@code serving} unset means as ready;
   * {@code terminating} unset means not terminating (EndpointSlice API reference, EndpointConditions).
   */
  static EndpointHealth health(EndpointConditions conditions) {
    boolean ready = conditions == null || conditions.getReady() == null || conditions.getReady();
    boolean serving = conditions == null || conditions.getServing() == null ? ready : conditions.getServing();
    boolean terminating = conditions != null && Boolean.TRUE.equals(conditions.getTerminating());
    if (ready && !terminating) {
      return EndpointHealth.HEALTHY;
    }
    return terminating && serving ? EndpointHealth.DRAINING : EndpointHealth.UNHEALTHY;
  }

  private static Map<String, Integer> targetPorts(EndpointSlice slice) {
    Map<String, Integer> ports = new HashMap<>();
    if (slice.getPorts() != null) {
      for (EndpointPort port : slice.getPorts()) {
        if (port.getPort() != null) {
          ports.put(port.getName() == null ? "" : port.getName(), port.getPort());
        }
      }
    }
    // Immutable once per slice: every endpoint of the slice shares it (Endpoint's copy of an immutable map is itself).
    return Map.copyOf(ports);
  }

  private static Pod pod(ObjectReference ref, String namespace, Function<ObjectKey, Pod> pods) {
    if (ref == null || !"Pod".equals(ref.getKind()) || ref.getName() == null) {
      return null;
    }
    return pods.apply(new ObjectKey(ref.getNamespace() == null ? namespace : ref.getNamespace(), ref.getName()));
  }

  /** Istio's order: the {@code istio-locality} label, then the slice's zone and the sub-zone label, then the cluster. */
  private static Locality locality(String zone, Map<String, String> labels, Locality cluster) {
    String istio = labels.get(ISTIO_LOCALITY);
    Locality fromPod = istio != null ? Locality.parse(istio)
        : Locality.of("", zone, labels.getOrDefault(ISTIO_SUBZONE, ""));
    return fromPod.orElse(cluster);
  }
}
