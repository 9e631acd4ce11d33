package io.meshfed.control.plane.translate.model;

import io.fabric8.kubernetes.api.model.Service;
import io.meshfed.control.plane.istio.ServiceEntry;
import io.meshfed.federation.catalog.ClusterExport;
import io.meshfed.federation.catalog.Endpoint;
import io.meshfed.federation.catalog.ExportedService;
import io.meshfed.federation.catalog.FederatedService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One host the mesh routes to, with its ports and its endpoints in every cluster: a Kubernetes Service of this
 * cluster (maybe exported by others too), a service only other clusters export, or a ServiceEntry host.
 *
 * <p>Immutable. The registry keeps an instance while its inputs are the same objects, so consumers may cache what
 * they build per service by identity.
 */
public final class MeshService {

  /** Where the host is defined. */
  public enum Kind { KUBERNETES, REMOTE, SERVICE_ENTRY }

  /** Istio's label on sidecar-injected pods: their endpoints speak Istio mTLS. */
  public static final String TLS_MODE_LABEL = "security.istio.io/tlsMode";
  /** meshfed's annotation choosing the east-west mode, on the Service or its ServiceExport. */
  public static final String EASTWEST_MODE_ANNOTATION = "meshfed.io/eastwest-mode";
  /** Istio's annotation restricting a Service's visibility ({@code exportTo} of Services). */
  public static final String EXPORT_TO_ANNOTATION = "networking.istio.io/exportTo";

  private final Kind kind;
  private final String fqdn;
  private final String namespace;
  private final String name;
  private final List<PortSpec> ports;
  private final List<String> exportTo;
  private final Service kubernetes;
  private final ExportedService local;
  private final FederatedService federated;
  private final boolean exported;
  private final Map<String, String> exportAnnotations;
  private final ServiceEntry entry;
  private final String clusterId;
  private final List<ClusterExport> remote;

  MeshService(Kind kind, String fqdn, String namespace, String name, List<PortSpec> ports, List<String> exportTo,
      Service kubernetes, ExportedService local, FederatedService federated, boolean exported,
      Map<String, String> exportAnnotations, ServiceEntry entry, String clusterId) {
    this.kind = kind;
    this.fqdn = fqdn;
    this.namespace = namespace;
    this.name = name;
    this.ports = List.copyOf(ports);
    this.exportTo = List.copyOf(exportTo);
    this.kubernetes = kubernetes;
    this.local = local;
    this.federated = federated;
    this.exported = exported;
    this.exportAnnotations = exportAnnotations == null ? Map.of() : exportAnnotations;
    this.entry = entry;
    this.clusterId = clusterId;
    List<ClusterExport> others = new ArrayList<>();
    if (federated != null) {
      for (ClusterExport export : federated.clusters().values()) {
        if (!export.clusterId().equals(clusterId)) {
          others.add(export);
        }
      }
    }
    this.remote = List.copyOf(others);
  }

  public Kind kind() {
    return kind;
  }

  public String fqdn() {
    return fqdn;
  }

  /** The namespace (of the Service, the exported service, or the ServiceEntry). */
  public String namespace() {
    return namespace;
  }

  /** The Kubernetes name; for a ServiceEntry host, the host. */
  public String name() {
    return name;
  }

  public List<PortSpec> ports() {
    return ports;
  }

  public Optional<PortSpec> port(int number) {
    for (PortSpec port : ports) {
      if (port.number() == number) {
        return Optional.of(port);
      }
    }
    return Optional.empty();
  }

  /** Istio's {@code exportTo}: the Service annotation or the ServiceEntry's field; empty = every namespace. */
  public List<String> exportTo() {
    return exportTo;
  }

  /** This cluster's Service, if the host is one. */
  public Optional<Service> kubernetes() {
    return Optional.ofNullable(kubernetes);
  }

  /** This cluster's endpoints (from EndpointSlices and Pods); empty list when none. */
  public List<Endpoint> localEndpoints() {
    return local == null ? List.of() : local.endpoints();
  }

  /** The discovery result behind {@link #localEndpoints()}, for identity comparisons. */
  public ExportedService local() {
    return local;
  }

  /** The catalog's entry (every exporting cluster, this one included), for identity comparisons. */
  public FederatedService federated() {
    return federated;
  }

  /** Other clusters' exports of this service (this cluster's own catalog entry excluded). */
  public List<ClusterExport> remote() {
    return remote;
  }

  /** Whether this cluster exports it (a ServiceExport of the Service exists). */
  public boolean exported() {
    return exported;
  }

  public Optional<ServiceEntry> serviceEntry() {
    return Optional.ofNullable(entry);
  }

  /** An annotation of the ServiceExport, else of the Service. */
  public Optional<String> annotation(String key) {
    String value = exportAnnotations.get(key);
    if (value == null && kubernetes != null && kubernetes.getMetadata().getAnnotations() != null) {
      value = kubernetes.getMetadata().getAnnotations().get(key);
    }
    return Optional.ofNullable(value);
  }

  /**
   * How the east-west gateway serves it: {@code meshfed.io/eastwest-mode} if set, else passthrough when every local
   * endpoint is sidecar-injected (end-to-end Istio mTLS), else terminate (docs/xds-profile.md).
   */
  public boolean eastWestPassthrough() {
    Optional<String> mode = annotation(EASTWEST_MODE_ANNOTATION);
    if (mode.isPresent()) {
      return mode.get().trim().equalsIgnoreCase("passthrough");
    }
    List<Endpoint> endpoints = localEndpoints();
    if (endpoints.isEmpty()) {
      return false;
    }
    for (Endpoint endpoint : endpoints) {
      if (!"istio".equals(endpoint.labels().get(TLS_MODE_LABEL))) {
        return false;
      }
    }
    return true;
  }

  /** What listeners and clusters depend on (not endpoints): equal shapes need no listener or route rebuild. */
  public Shape shape() {
    return new Shape(kind, ports, exportTo, exported, exported ? eastWestPassthrough() : false,
        annotation(EASTWEST_MODE_ANNOTATION).orElse(""), local != null, !remote.isEmpty(), entry);
  }

  /** The parts of a service that listeners, routes and clusters read. */
  public record Shape(Kind kind, List<PortSpec> ports, List<String> exportTo, boolean exported, boolean passthrough,
      String modeAnnotation, boolean local, boolean remote, ServiceEntry entry) {
  }

  /** Whether the inputs are the same objects as this instance's (then the instance can be reused). */
  boolean sameInputs(Service kubernetes, ExportedService local, FederatedService federated, boolean exported,
      Map<String, String> exportAnnotations, ServiceEntry entry) {
    return this.kubernetes == kubernetes && this.local == local && this.federated == federated
        && this.exported == exported && Objects.equals(this.exportAnnotations, exportAnnotations == null ? Map.of()
        : exportAnnotations) && this.entry == entry;
  }

  @Override
  public String toString() {
    return "MeshService[" + kind + " " + fqdn + ", ports=" + ports.stream().map(PortSpec::number).toList()
        + ", local=" + localEndpoints().size() + ", remote=" + remote.stream().map(ClusterExport::clusterId).toList()
        + "]";
  }
}
