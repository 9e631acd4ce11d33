package io.meshfed.control.plane.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.meshfed.control.client.xds.GatewayRole;
import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.control.plane.config.ConfigSnapshot;
import io.meshfed.control.plane.config.RawResource;
import io.meshfed.control.plane.config.SnapshotBuilder;
import io.meshfed.control.plane.config.SourceContents;
import io.meshfed.control.plane.istio.MeshSettings;
import io.meshfed.control.plane.istio.Origin;
import io.meshfed.control.plane.istio.ResourceParser;
import io.meshfed.control.plane.istio.YamlDocuments;
import io.meshfed.control.plane.istio.YamlSyntaxException;
import io.meshfed.control.plane.xds.Snapshot;
import io.meshfed.control.plane.xds.VersionedResource;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A mesh as the translator sees it, built in tests: files of YAML (Istio objects and Kubernetes Services,
 * EndpointSlices, Pods, Secrets) for this cluster, other clusters' catalog entries, connected gateway groups.
 * Unchanged files keep their objects' identity from one snapshot to the next, as the config store does.
 */
public final class MeshFixture {

  static final String CLUSTER = "east";
  static final String INGRESS = "east/ingress/istio-ingressgateway";
  static final String EGRESS = "east/egress/istio-egressgateway";
  static final String EASTWEST = "east/eastwest/istio-eastwestgateway";
  /** The ingress gateway's Gateway "istio-system/edge": HTTP on port 80 for every host, then a document separator. */
  public static final String EDGE_GATEWAY = """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: edge, namespace: istio-system}
      spec:
        selector: {istio: ingressgateway}
        servers:
        - port: {number: 80, name: http, protocol: HTTP}
          hosts: ["*"]
      ---
      """;

  private static final JsonFormat.Printer JSON = JsonFormat.printer().usingTypeRegistry(JsonFormat.TypeRegistry
      .newBuilder()
      .add(io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          .getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.router.v3.Router.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate.getDescriptor())
      .build()).omittingInsignificantWhitespace();

  private final Map<String, List<RawResource>> files = new LinkedHashMap<>();
  private final SnapshotBuilder builder = new SnapshotBuilder(new ResourceParser(MeshSettings.DEFAULT));
  private final Map<String, GatewayGroup> groups = new TreeMap<>();
  private final Map<ServiceKey, Map<String, ClusterExport>> exports = new HashMap<>();
  private ConfigSnapshot config = ConfigSnapshot.empty(MeshSettings.DEFAULT);
  private boolean configDirty = true;
  private RemoteCatalog catalog = RemoteCatalog.empty();
  private final MeshTranslator translator = MeshTranslator.create();
  private final List<Consumer<MeshView.Builder>> viewSettings = new ArrayList<>();
  Translation last;

  /** Adds or replaces a file of YAML documents. */
  MeshFixture file(String name, String yaml) {
    try {
      List<RawResource> resources = new ArrayList<>();
      for (YamlDocuments.Document document : YamlDocuments.read(name, yaml)) {
        resources.add(RawResource.document(document.root(), Origin.of(name)));
      }
      files.put(name, resources);
      configDirty = true;
      return this;
    } catch (YamlSyntaxException e) {
      throw new AssertionError(e);
    }
  }

  /** Adds a file from Istio's samples, {@code /work/shared/istio-samples/<path>}. */
  MeshFixture sample(String path) {
    Path file = Path.of("/work/shared/istio-samples").resolve(path);
    try {
      return file(path, Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  MeshFixture remove(String name) {
    files.remove(name);
    configDirty = true;
    return this;
  }

  MeshFixture view(Consumer<MeshView.Builder> setting) {
    viewSettings.add(setting);
    return this;
  }

  ConfigSnapshot config() {
    if (configDirty) {
      List<SourceContents> contents = new ArrayList<>();
      files.forEach((name, resources) -> contents.add(new SourceContents(name, resources, List.of())));
      config = builder.build(contents, config);
      configDirty = false;
    }
    return config;
  }

  /** A gateway group connected to this cluster's control plane. */
  MeshFixture group(String workload, GatewayRole role, Map<String, String> labels) {
    GatewayGroup group = new GatewayGroup(CLUSTER + "/" + role.metadataValue() + "/" + workload, CLUSTER,
        java.util.Optional.of(role), GatewayGroup.Form.GATEWAY, "istio-system", workload, labels, "",
        Locality.UNKNOWN);
    groups.put(group.key(), group);
    return this;
  }

  MeshFixture group(GatewayGroup group) {
    groups.put(group.key(), group);
    return this;
  }

  MeshFixture ingress() {
    return group("istio-ingressgateway", GatewayRole.INGRESS, Map.of("istio", "ingressgateway",
        "app", "istio-ingressgateway"));
  }

  MeshFixture egress() {
    return group("istio-egressgateway", GatewayRole.EGRESS, Map.of("istio", "egressgateway",
        "app", "istio-egressgateway"));
  }

  MeshFixture eastwest() {
    return group("istio-eastwestgateway", GatewayRole.EASTWEST, Map.of("istio", "eastwestgateway",
        "app", "istio-eastwestgateway"));
  }

  /** A remote cluster's record in the catalog. */
  MeshFixture cluster(String id, String network, Locality locality, String... gateways) {
    List<GatewayAddress> addresses = java.util.Arrays.stream(gateways).map(GatewayAddress::parse).toList();
    ClusterRecord record = new ClusterRecord(new ClusterInfo(id, network, locality, addresses, "test"), id, 1, 0,
        true);
    catalog = catalog.apply(new CatalogEvent.ClusterChanged(new ClusterView(record, ClusterHealth.LIVE), 1));
    return this;
  }

  /** A remote cluster's export with pod endpoints (flat network) or only a healthy count (through its gateways). */
  MeshFixture export(String clusterId, String namespace, String name, List<ServicePort> ports,
      List<Endpoint> endpoints, Reach reach, int healthy) {
    ClusterView view = catalog.clusters().get(clusterId);
    ClusterInfo info = view.record().info();
    ServiceKey key = ServiceKey.of(namespace, name);
    ClusterExport export = new ClusterExport(clusterId, info.network(), info.locality(), reach, ports,
        reach == Reach.ENDPOINTS ? endpoints : List.of(), reach == Reach.GATEWAY ? info.gateways() : List.of(),
        healthy, false, 1, 1);
    Map<String, ClusterExport> byCluster = exports.computeIfAbsent(key, k -> new TreeMap<>());
    byCluster.put(clusterId, export);
    catalog = catalog.apply(new CatalogEvent.ServiceChanged(new FederatedService(key, byCluster), 2));
    return this;
  }

  static Endpoint endpoint(String ip, int port, Map<String, String> labels) {
    return new Endpoint(ip, Map.of("http", port), Locality.UNKNOWN, labels, EndpointHealth.HEALTHY);
  }

  MeshView view() {
    MeshView.Builder b = MeshView.builder().meshId("mesh1").clusterId(CLUSTER).network("net-east")
        .trustDomain("cluster.local").config(config()).catalog(catalog).gateways(groups.values())
        .trustBundlePem("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    viewSettings.forEach(s -> s.accept(b));
    return b.build();
  }

  Translation translate() {
    assertThat(config().errors()).as("config errors").isEmpty();
    last = translator.translate(view());
    return last;
  }

  Snapshot snapshot(String group) {
    Snapshot snapshot = last.snapshots().get(group);
    assertThat(snapshot).as("snapshot of " + group + " among " + last.snapshots().keySet()).isNotNull();
    return snapshot;
  }

  <T extends Message> T resource(String group, XdsResourceType type, String name, Class<T> kind) {
    VersionedResource resource = snapshot(group).resources(type).get(name);
    assertThat(resource).as(type.shortName() + " " + name + " in " + group + " among "
        + snapshot(group).resources(type).keySet()).isNotNull();
    try {
      return kind.cast(type.unpack(resource.resource()));
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  Listener listener(String group, String name) {
    return resource(group, XdsResourceType.LISTENER, name, Listener.class);
  }

  RouteConfiguration route(String group, String name) {
    return resource(group, XdsResourceType.ROUTE, name, RouteConfiguration.class);
  }

  Cluster cluster(String group, String name) {
    return resource(group, XdsResourceType.CLUSTER, name, Cluster.class);
  }

  ClusterLoadAssignment endpoints(String group, String name) {
    return resource(group, XdsResourceType.ENDPOINT, name, ClusterLoadAssignment.class);
  }

  Secret secret(String group, String name) {
    return resource(group, XdsResourceType.SECRET, name, Secret.class);
  }

  java.util.Set<String> names(String group, XdsResourceType type) {
    return snapshot(group).resources(type).keySet();
  }

  /** Compact protobuf JSON, for comparison with expected fragments. */
  static String json(Message message) {
    try {
      return JSON.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  /** Asserts a resource's protobuf JSON equals a readable fragment (object member order does not matter). */
  static void assertJson(Message message, String expected) {
    String actual = json(message);
    assertThat(com.google.gson.JsonParser.parseString(actual))
        .as("JSON of %s%n  actual:   %s%n  expected: %s", message.getDescriptorForType().getName(), actual,
            compact(expected))
        .isEqualTo(com.google.gson.JsonParser.parseString(expected));
  }

  /** Normalises a readable JSON fragment written in a test to the printer's compact form. */
  static String compact(String json) {
    return com.google.gson.JsonParser.parseString(json).toString();
  }
}
