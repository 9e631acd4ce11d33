package io.meshfed.it.bench.translate;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.meshfed.control.client.xds.GatewayRole;
import io.meshfed.control.plane.config.ConfigSnapshot;
import io.meshfed.control.plane.config.RawResource;
import io.meshfed.control.plane.config.SnapshotBuilder;
import io.meshfed.control.plane.config.SourceContents;
import io.meshfed.control.plane.istio.MeshSettings;
import io.meshfed.control.plane.istio.Origin;
import io.meshfed.control.plane.istio.ResourceParser;
import io.meshfed.control.plane.istio.YamlDocuments;
import io.meshfed.control.plane.translate.GatewayGroup;
import io.meshfed.control.plane.translate.MeshView;
import io.meshfed.control.plane.translate.RemoteCatalog;
import io.meshfed.federation.catalog.CatalogEvent;
import io.meshfed.federation.catalog.ClusterExport;
import io.meshfed.federation.catalog.ClusterHealth;
import io.meshfed.federation.catalog.ClusterInfo;
import io.meshfed.federation.catalog.ClusterRecord;
import io.meshfed.federation.catalog.ClusterView;
import io.meshfed.federation.catalog.Endpoint;
import io.meshfed.federation.catalog.EndpointHealth;
import io.meshfed.federation.catalog.FederatedService;
import io.meshfed.federation.catalog.GatewayAddress;
import io.meshfed.federation.catalog.Locality;
import io.meshfed.federation.catalog.Reach;
import io.meshfed.federation.catalog.ServiceKey;
import io.meshfed.federation.catalog.ServicePort;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Issue 5's mesh, generated for the translation benchmarks: {@code services} services with {@code perCluster}
 * endpoints in each of three clusters (this one, "east", from Kubernetes objects; "west" on the same network, its pods
 * listed in the catalog; "north" on another network, reached through its east-west gateway), {@code routes} ingress
 * VirtualServices with subsets, every local service exported; and the change generators the incremental rounds use.
 * Not thread-safe: one benchmark thread drives it.
 */
final class BenchMesh {

  /** This control plane's cluster. */
  static final String CLUSTER = "east";
  /** The ingress gateway deployment ({@code Gateway edge} selects its label {@code istio: ingressgateway}). */
  static final String INGRESS_WORKLOAD = "istio-ingressgateway";
  /** The east-west gateway deployment. */
  static final String EASTWEST_WORKLOAD = "istio-eastwestgateway";

  private final int services;
  private final int perCluster;
  private final int routes;
  private final List<RawResource> kubernetes = new ArrayList<>();
  private final List<RawResource> istio = new ArrayList<>();
  private final Map<Integer, Integer> sliceIndex = new HashMap<>();
  private final Map<Integer, List<Endpoint>> westEndpointsOf = new HashMap<>();
  private final Map<Integer, Map<String, ClusterExport>> exports = new HashMap<>();
  private final SnapshotBuilder builder = new SnapshotBuilder(new ResourceParser(MeshSettings.DEFAULT));
  private ConfigSnapshot config = ConfigSnapshot.empty(MeshSettings.DEFAULT);
  private ServiceKey lastChanged;
  int localEndpoints;
  int westEndpoints;
  int northEndpoints;

  BenchMesh(int services, int perCluster, int routes) throws Exception {
    this.services = services;
    this.perCluster = perCluster;
    this.routes = routes;
    Origin origin = Origin.of("cluster east");
    StringBuilder yaml = new StringBuilder("""
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: edge, namespace: istio-system}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: ["*"]
        ---
        """);
    for (int i = 0; i < services; i++) {
      String ns = namespace(i);
      String name = "svc-" + i;
      kubernetes.add(RawResource.object(service(ns, name), origin));
      List<Pod> pods = new ArrayList<>();
      EndpointSliceBuilder slice = new EndpointSliceBuilder().withNewMetadata().withNamespace(ns)
          .withName(name + "-abc").addToLabels("kubernetes.io/service-name", name).endMetadata()
          .withAddressType("IPv4").addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort();
      for (int j = 0; j < count(i); j++) {
        String pod = name + "-" + j;
        pods.add(new PodBuilder().withNewMetadata().withNamespace(ns).withName(pod)
            .addToLabels("app", name).addToLabels("version", j % 2 == 0 ? "v1" : "v2").endMetadata().build());
        slice.addToEndpoints(new EndpointBuilder().withAddresses(ip(1, i, j)).withNewConditions().withReady(true)
            .endConditions().withNewTargetRef().withKind("Pod").withNamespace(ns).withName(pod).endTargetRef()
            .build());
        localEndpoints++;
      }
      pods.forEach(p -> kubernetes.add(RawResource.object(p, origin)));
      sliceIndex.put(i, kubernetes.size());
      kubernetes.add(RawResource.object(slice.build(), origin));
      yaml.append("""
          apiVersion: multicluster.x-k8s.io/v1alpha1
          kind: ServiceExport
          metadata: {name: %s, namespace: %s}
          ---
          """.formatted(name, ns));
      if (i < routes) {
        yaml.append("""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: %s, namespace: %s}
            spec:
              hosts: ["%s.example.com"]
              gateways: ["istio-system/edge"]
              http:
              - route:
                - destination: {host: %s, subset: v1}
                  weight: 90
                - destination: {host: %s, subset: v2}
                  weight: 10
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: %s, namespace: %s}
            spec:
              host: %s
              trafficPolicy:
                connectionPool: {http: {http2MaxRequests: 1000}}
            %s  subsets:
              - {name: v1, labels: {version: v1}}
              - {name: v2, labels: {version: v2}}
            ---
            """.formatted(name, ns, name, name, name, name, ns, name,
            i % 2 == 0 ? "    outlierDetection: {consecutive5xxErrors: 5}\n" : ""));
      }
    }
    for (YamlDocuments.Document document : YamlDocuments.read("istio.yaml", yaml.toString())) {
      istio.add(RawResource.document(document.root(), Origin.of("istio.yaml")));
    }
    rebuild();
  }

  private int count(int service) {
    return perCluster / services + (service < perCluster % services ? 1 : 0);
  }

  private static String namespace(int service) {
    return "ns-" + (service % 100);
  }

  /** Distinct addresses per cluster: 10.x.x.x here, 11.x.x.x west, 12.x.x.x north. */
  private static String ip(int cluster, int service, int j) {
    int n = service * 16 + j;
    return (9 + cluster) + "." + ((n >> 16) & 0xff) + "." + ((n >> 8) & 0xff) + "." + (n & 0xff);
  }

  private static Service service(String ns, String name) {
    return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata().withNewSpec()
        .addToSelector("app", name).addNewPort().withName("http").withPort(8080).withNewTargetPort(8080)
        .endPort().endSpec().build();
  }

  /** The service of the last {@link #changeLocalEndpoint} or {@link #changeRemoteEndpoint}. */
  ServiceKey lastChanged() {
    return lastChanged;
  }

  int endpointTotal() {
    return localEndpoints + westEndpoints + northEndpoints;
  }

  ConfigSnapshot config() {
    return config;
  }

  private void rebuild() {
    config = builder.build(List.of(new SourceContents("kubernetes east", kubernetes, List.of()),
        new SourceContents("istio", istio, List.of())), config);
  }

  RemoteCatalog catalog() {
    RemoteCatalog catalog = RemoteCatalog.empty()
        .apply(cluster("west", "net1", Locality.of("us-west", "zone-1", ""), List.of()))
        .apply(cluster("north", "net2", Locality.of("eu-north", "zone-1", ""),
            List.of(GatewayAddress.parse("127.0.3.100:15443"), GatewayAddress.parse("127.0.3.101:15443"))));
    List<ServicePort> ports = List.of(new ServicePort("http", 8080, "TCP", ""));
    Map<ServiceKey, FederatedService> all = new HashMap<>();
    for (int i = 0; i < services; i++) {
      ServiceKey key = ServiceKey.of(namespace(i), "svc-" + i);
      List<Endpoint> west = new ArrayList<>();
      List<Endpoint> north = new ArrayList<>();
      for (int j = 0; j < count(i); j++) {
        Map<String, String> labels = Map.of("app", "svc-" + i, "version", j % 2 == 0 ? "v1" : "v2");
        west.add(new Endpoint(ip(2, i, j), Map.of("http", 8080), Locality.of("us-west", "zone-1", ""), labels,
            EndpointHealth.HEALTHY));
        north.add(new Endpoint(ip(3, i, j), Map.of("http", 8080), Locality.of("eu-north", "zone-1", ""), labels,
            EndpointHealth.HEALTHY));
        westEndpoints++;
        northEndpoints++;
      }
      westEndpointsOf.put(i, west);
      Map<String, ClusterExport> byCluster = new HashMap<>();
      byCluster.put("west", new ClusterExport("west", "net1", Locality.of("us-west", "zone-1", ""), Reach.ENDPOINTS,
          ports, west, List.of(), west.size(), false, 1, 1));
      byCluster.put("north", new ClusterExport("north", "net2", Locality.of("eu-north", "zone-1", ""),
          Reach.ENDPOINTS, ports, north, List.of(), north.size(), false, 1, 1));
      exports.put(i, byCluster);
      all.put(key, new FederatedService(key, byCluster));
    }
    return catalog.apply(new CatalogEvent.Snapshot(all, catalog.clusters(), 1));
  }

  private static CatalogEvent cluster(String id, String network, Locality locality, List<GatewayAddress> gateways) {
    return new CatalogEvent.ClusterChanged(new ClusterView(new ClusterRecord(new ClusterInfo(id, network, locality,
        gateways, "bench"), id, 1, 0, true), ClusterHealth.LIVE), 1);
  }

  /**
   * Flips the readiness of one endpoint of one service's EndpointSlice, as an informer update would; that service is
   * {@link #lastChanged()} afterwards.
   */
  ConfigSnapshot changeLocalEndpoint(int round) {
    int service = (round * 7919) % services;
    lastChanged = ServiceKey.of(namespace(service), "svc-" + service);
    int at = sliceIndex.get(service);
    EndpointSlice slice = (EndpointSlice) kubernetes.get(at).object().orElseThrow();
    EndpointSlice next = new EndpointSliceBuilder(slice).build();
    var endpoint = next.getEndpoints().get(0);
    endpoint.getConditions().setReady(!Boolean.TRUE.equals(endpoint.getConditions().getReady()));
    kubernetes.set(at, RawResource.object(next, kubernetes.get(at).origin()));
    rebuild();
    return config;
  }

  /**
   * Marks one endpoint of one service in the west cluster unhealthy (or healthy again), as a catalog event; that
   * service is {@link #lastChanged()} afterwards.
   */
  RemoteCatalog changeRemoteEndpoint(RemoteCatalog catalog, int round) {
    int service = (round * 104_729) % services;
    lastChanged = ServiceKey.of(namespace(service), "svc-" + service);
    List<Endpoint> west = new ArrayList<>(westEndpointsOf.get(service));
    Endpoint e = west.get(0);
    west.set(0, new Endpoint(e.address(), e.ports(), e.locality(), e.labels(),
        e.health() == EndpointHealth.HEALTHY ? EndpointHealth.UNHEALTHY : EndpointHealth.HEALTHY));
    westEndpointsOf.put(service, west);
    Map<String, ClusterExport> byCluster = new HashMap<>(exports.get(service));
    ClusterExport old = byCluster.get("west");
    byCluster.put("west", new ClusterExport("west", old.network(), old.locality(), old.reach(), old.ports(), west,
        List.of(), (int) west.stream().filter(x -> x.health() == EndpointHealth.HEALTHY).count(), false,
        old.epoch(), old.revision() + 1));
    exports.put(service, byCluster);
    ServiceKey key = ServiceKey.of(namespace(service), "svc-" + service);
    return catalog.apply(new CatalogEvent.ServiceChanged(new FederatedService(key, byCluster), round));
  }

  /** The two gateway groups, ingress and east-west, as a {@code GatewayGrouping} would record their deployments. */
  static List<GatewayGroup> groups() {
    return List.of(group(INGRESS_WORKLOAD, GatewayRole.INGRESS, Map.of("istio", "ingressgateway")),
        group(EASTWEST_WORKLOAD, GatewayRole.EASTWEST, Map.of("istio", "eastwestgateway")));
  }

  private static GatewayGroup group(String workload, GatewayRole role, Map<String, String> labels) {
    return new GatewayGroup(CLUSTER + "/" + role.metadataValue() + "/" + workload, CLUSTER, Optional.of(role),
        GatewayGroup.Form.GATEWAY, "istio-system", workload, labels, "", Locality.UNKNOWN);
  }

  /** This control plane's view of the mesh: its identity, the config, the catalog and the gateway groups. */
  static MeshView view(ConfigSnapshot config, RemoteCatalog catalog, List<GatewayGroup> groups) {
    return MeshView.builder().meshId("mesh1").clusterId(CLUSTER).network("net1")
        .locality(Locality.of("us-east", "zone-a", "")).trustDomain("cluster.local").config(config)
        .catalog(catalog).gateways(groups).build();
  }
}
