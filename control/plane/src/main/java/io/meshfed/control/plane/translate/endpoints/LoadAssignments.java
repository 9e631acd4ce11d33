package io.meshfed.control.plane.translate.endpoints;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.meshfed.control.plane.istio.DestinationRule.Distribute;
import io.meshfed.control.plane.istio.PeerAuthentication.MtlsMode;
import io.meshfed.control.plane.istio.PeerAuthenticationIndex;
import io.meshfed.control.plane.istio.Selectors;
import io.meshfed.control.plane.translate.TranslationProblem.Kind;
import io.meshfed.control.plane.translate.model.MeshService;
import io.meshfed.control.plane.translate.model.PortSpec;
import io.meshfed.control.plane.translate.model.Problems;
import io.meshfed.control.plane.xds.Snapshot;
import io.meshfed.federation.catalog.ClusterExport;
import io.meshfed.federation.catalog.ClusterView;
import io.meshfed.federation.catalog.Endpoint;
import io.meshfed.federation.catalog.EndpointHealth;
import io.meshfed.federation.catalog.GatewayAddress;
import io.meshfed.federation.catalog.Locality;
import io.meshfed.federation.catalog.Reach;
import io.meshfed.federation.catalog.ServicePort;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds {@code ClusterLoadAssignment}s (docs/xds-profile.md, "Endpoints"): this cluster's endpoints, other clusters'
 * endpoints on the same network, and for other networks one endpoint per east-west gateway of the exporting cluster
 * weighted by its healthy endpoint count (Istio's split-horizon EDS); Istio metadata and {@code tlsMode: istio}
 * where the hop is Istio mTLS; localities; failover priorities per {@link EndpointPolicy}.
 *
 * <p>The load assignments are produced in wire form ({@link EncodedEndpoints}); identical metadata is serialised
 * once and shared between endpoints (a mesh has far fewer workloads than endpoints).
 */
public final class LoadAssignments {

  /** Istio's metadata namespace for endpoint identity. */
  public static final String ISTIO_METADATA = "istio";
  /** Envoy's metadata namespace {@code transport_socket_matches} read. */
  public static final String TRANSPORT_SOCKET_MATCH = "envoy.transport_socket_match";
  private static final int MAX_INTERNED = 200_000;
  /** About the distinct workloads of 10,000 services in two versions across three clusters (issue 5's mesh). */
  private static final int INTERNED_INITIAL = 1 << 15;
  /** {@code ClusterLoadAssignment.endpoints}. */
  private static final int ASSIGNMENT_ENDPOINTS = 2;

  // Field numbers: Metadata.filter_metadata, Struct.fields (map entries: key 1, value 2), Value.string_value.
  private static final int FILTER_METADATA = 1;
  private static final int STRUCT_FIELDS = 1;
  private static final int ENTRY_KEY = 1;
  private static final int ENTRY_VALUE = 2;
  private static final int STRING_VALUE = 3;
  /** {@code tlsMode: istio}, the same in every mTLS endpoint's metadata. */
  private static final String[] TLS_MODE_KEYS = {"tlsMode"};
  private static final String[] TLS_MODE_VALUES = {"istio"};
  private static final int TLS_MODE_SIZE = structSize(TLS_MODE_KEYS, TLS_MODE_VALUES);

  /** What load assignments depend on besides the service. */
  public record Context(String clusterId, String network, Map<String, ClusterView> clusters,
      PeerAuthenticationIndex peerAuthentication) {
  }

  /**
   * Shared by the threads building load assignments in parallel (Caches.prebuild): equal keys, equal bytes. Sized
   * for a large mesh's workloads from the start: growing it while both threads fill it cost them more than the
   * lookups.
   */
  private final Map<MetadataKey, byte[]> interned = new ConcurrentHashMap<>(INTERNED_INITIAL);
  private Context context;

  public LoadAssignments(Context context) {
    this.context = context;
  }

  /** Switches to a new context (a new config or catalog), keeping the interned metadata. */
  public void context(Context next) {
    this.context = next;
    if (interned.size() > MAX_INTERNED) {
      interned.clear();
    }
  }

  /**
   * What an endpoint's metadata is made of. Its parts are strings the catalog and the config already hold (label
   * values, namespace, cluster id, network), whose hashes are cached, so finding the shared metadata of an endpoint
   * builds no string.
   */
  private record MetadataKey(boolean istioMtls, Workload workload, String clusterId, String network) {
  }

  /**
   * Istio's {@code workload} metadata before it is joined: {@code <name>;<namespace>;<app>;<version>}. The workload
   * name is not in the catalog; the canonical-name label (or {@code app}) stands for it. Null for an east-west
   * gateway standing for another network's endpoints.
   */
  private record Workload(String app, String namespace, String version) {

    static Workload of(MeshService service, Endpoint endpoint) {
      Map<String, String> labels = endpoint.labels();
      String app = labels.getOrDefault("service.istio.io/canonical-name",
          labels.getOrDefault("app", service.name()));
      String version = labels.getOrDefault("service.istio.io/canonical-revision",
          labels.getOrDefault("version", ""));
      return new Workload(app, service.namespace(), version);
    }

    @Override
    public String toString() {
      return app + ";" + namespace + ";" + app + ";" + version;
    }
  }

  /** One resolved endpoint before grouping. */
  private record Ep(String address, int port, Locality locality, HealthStatus health, int weight,
      Map<String, String> labels, boolean istioMtls, String clusterId, String network, Workload workload) {

    static final Comparator<Ep> ORDER = Comparator.comparing(Ep::address).thenComparingInt(Ep::port);

    String label(String key) {
      return switch (key) {
        case Priorities.NETWORK -> network;
        case Priorities.CLUSTER -> clusterId;
        case Priorities.REGION -> locality.region();
        case Priorities.ZONE -> locality.zone();
        case Priorities.SUBZONE -> locality.subzone();
        default -> labels.get(key);
      };
    }
  }

  /**
   * The endpoints of a load assignment in wire form, written as the load assignment of {@code clusterName}:
   * clusters with equal endpoints (the east-west gateway's outbound and passthrough clusters of one service) share
   * them.
   *
   * @param subset the subset's labels (empty: every endpoint)
   * @param plaintextOnly leave out endpoints that need Istio mTLS (proxyless gRPC clients cannot originate it)
   */
  public EncodedEndpoints endpoints(String clusterName, MeshService service, PortSpec port,
      Map<String, String> subset, EndpointScope scope, boolean plaintextOnly, EndpointPolicy policy,
      Problems problems) {
    List<Ep> endpoints = new ArrayList<>();
    if (scope != EndpointScope.REMOTE) {
      addLocal(endpoints, service, port, subset);
    }
    if (scope != EndpointScope.LOCAL) {
      for (ClusterExport export : service.remote()) {
        addRemote(endpoints, service, export, port, subset, problems);
      }
    }
    if (plaintextOnly) {
      endpoints.removeIf(Ep::istioMtls);
    }
    return assemble(clusterName, endpoints, policy);
  }

  private void addLocal(List<Ep> out, MeshService service, PortSpec port, Map<String, String> subset) {
    for (Endpoint endpoint : service.localEndpoints()) {
      if (!Selectors.matches(subset, endpoint.labels())) {
        continue;
      }
      int target = targetPort(endpoint, port.name(), port.targetPort());
      if (target <= 0) {
        continue;
      }
      boolean sidecar = "istio".equals(endpoint.labels().get(MeshService.TLS_MODE_LABEL));
      // Istio's auto mTLS: a sidecar endpoint gets Istio mTLS unless its PeerAuthentication disables it.
      boolean mtls = sidecar && context.peerAuthentication()
          .effectiveMode(service.namespace(), endpoint.labels(), target) != MtlsMode.DISABLE;
      out.add(new Ep(endpoint.address(), target, endpoint.locality(), health(endpoint.health()), 1,
          endpoint.labels(), mtls, context.clusterId(), context.network(), Workload.of(service, endpoint)));
    }
  }

  private void addRemote(List<Ep> out, MeshService service, ClusterExport export, PortSpec port,
      Map<String, String> subset, Problems problems) {
    String remotePortName = null;
    for (ServicePort p : export.ports()) {
      if (p.port() == port.number()) {
        remotePortName = p.name();
      }
    }
    if (remotePortName == null) {
      return; // that cluster does not serve this port
    }
    boolean sameNetwork = export.network().equals(context.network());
    if (export.reach() == Reach.ENDPOINTS && sameNetwork) {
      for (Endpoint endpoint : export.endpoints()) {
        if (!Selectors.matches(subset, endpoint.labels())) {
          continue;
        }
        int target = targetPort(endpoint, remotePortName, 0);
        if (target <= 0) {
          continue;
        }
        boolean mtls = "istio".equals(endpoint.labels().get(MeshService.TLS_MODE_LABEL));
        out.add(new Ep(endpoint.address(), target, endpoint.locality(), health(endpoint.health()), 1,
            endpoint.labels(), mtls, export.clusterId(), export.network(), Workload.of(service, endpoint)));
      }
      return;
    }
    int weight;
    if (export.reach() == Reach.ENDPOINTS) {
      final String name = remotePortName;
      weight = (int) export.endpoints().stream().filter(e -> e.health() == EndpointHealth.HEALTHY
          && Selectors.matches(subset, e.labels()) && targetPort(e, name, 0) > 0).count();
    } else {
      // Only the count crosses networks: a subset's share behind the gateway is not known here.
      weight = export.healthyEndpoints();
    }
    if (weight == 0) {
      return;
    }
    List<GatewayAddress> gateways = export.gateways();
    if (gateways.isEmpty()) {
      ClusterView view = context.clusters().get(export.clusterId());
      gateways = view == null ? List.of() : view.record().info().gateways();
    }
    boolean any = false;
    for (GatewayAddress gateway : gateways) {
      if (!NetUtil.isValidIpV4Address(gateway.host()) && !NetUtil.isValidIpV6Address(gateway.host())) {
        problems.report(Kind.UNREACHABLE_ENDPOINTS, Optional.empty(), "", "cluster " + export.clusterId()
            + ": east-west gateway " + gateway + " is a DNS name; endpoints must be IP addresses, so "
            + service.fqdn() + " is not reached through it", "publish the gateway's IP address (meshfed.io/gateways"
            + " on the remote Secret, or the cluster's gateway settings)");
        continue;
      }
      any = true;
      out.add(new Ep(gateway.host(), gateway.port(), export.locality(), HealthStatus.HEALTHY, weight, Map.of(),
          true, export.clusterId(), export.network(), null));
    }
    if (!any && gateways.isEmpty()) {
      problems.report(Kind.UNREACHABLE_ENDPOINTS, Optional.empty(), "", "cluster " + export.clusterId()
          + " (network \"" + export.network() + "\") exports " + service.fqdn() + " but announces no east-west "
          + "gateway, and this cluster is on network \"" + context.network() + "\"",
          "give cluster " + export.clusterId() + " an east-west gateway address, or put both clusters on one network");
    }
  }

  private static int targetPort(Endpoint endpoint, String portName, int fixed) {
    if (fixed > 0) {
      return fixed;
    }
    Integer port = endpoint.ports().get(portName);
    if (port == null && endpoint.ports().size() == 1) {
      port = endpoint.ports().values().iterator().next();
    }
    return port == null ? 0 : port;
  }

  private static HealthStatus health(EndpointHealth health) {
    return switch (health) {
      case HEALTHY -> HealthStatus.HEALTHY;
      case UNHEALTHY -> HealthStatus.UNHEALTHY;
      case DRAINING -> HealthStatus.DRAINING;
    };
  }

  /**
   * Groups the endpoints by priority and locality and encodes them as {@code LocalityLbEndpoints} (field numbers of
   * envoy/config/endpoint/v3/endpoint_components.proto), as the deterministic serialisation of the equivalent
   * messages would: each endpoint's metadata is serialised once per distinct metadata, not per endpoint.
   */
  private EncodedEndpoints assemble(String clusterName, List<Ep> endpoints, EndpointPolicy policy) {
    Map<Group, List<Ep>> groups = new TreeMap<>(Group.ORDER);
    int[] raw = new int[endpoints.size()];
    TreeSet<Integer> used = new TreeSet<>();
    for (int i = 0; i < raw.length; i++) {
      Ep ep = endpoints.get(i);
      raw[i] = policy.prioritize() ? Priorities.raw(policy, ep.locality(), ep::label) : 0;
      used.add(raw[i]);
    }
    // Envoy: priorities must range from 0 to N without gaps.
    Map<Integer, Integer> contiguous = new HashMap<>();
    for (int p : used) {
      contiguous.put(p, contiguous.size());
    }
    for (int i = 0; i < raw.length; i++) {
      Ep ep = endpoints.get(i);
      groups.computeIfAbsent(new Group(contiguous.get(raw[i]), ep.locality()), g -> new ArrayList<>()).add(ep);
    }
    List<LocalityWire> localities = new ArrayList<>(groups.size());
    int[] sizes = new int[groups.size()];
    int offset = EncodedEndpoints.nameSize(clusterName);
    int total = offset;
    for (Map.Entry<Group, List<Ep>> e : groups.entrySet()) {
      List<Ep> members = e.getValue();
      members.sort(Ep.ORDER);
      int weight = 0;
      for (Ep ep : members) {
        weight += ep.weight();
      }
      Locality l = e.getKey().locality();
      if (policy.weighted()) {
        weight = distributedWeight(policy, l);
        if (weight == 0) {
          continue; // Istio: a locality the distribution does not name gets no traffic
        }
      }
      // Always weighted: Envoy reads locality weights only with locality_weighted_lb_config, and proxyless gRPC
      // ignores localities without one (gRFC A27).
      LocalityWire wire = new LocalityWire(l, members, Math.max(1, weight), e.getKey().priority(),
          new int[members.size()], new byte[members.size()][]);
      for (int i = 0; i < members.size(); i++) {
        wire.metadata()[i] = metadata(members.get(i));
      }
      sizes[localities.size()] = wire.size();
      total += EncodedEndpoints.nested(ASSIGNMENT_ENDPOINTS, sizes[localities.size()]);
      localities.add(wire);
    }
    byte[] bytes = new byte[total];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      if (!clusterName.isEmpty()) {
        out.writeString(EncodedEndpoints.CLUSTER_NAME, clusterName);
      }
      for (int i = 0; i < localities.size(); i++) {
        EncodedEndpoints.begin(out, ASSIGNMENT_ENDPOINTS, sizes[i]);
        localities.get(i).write(out);
      }
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new EncodedEndpoints(clusterName, bytes, offset, localities.size());
  }

  /** The endpoints of one priority and locality. */
  private record Group(int priority, Locality locality) {
    static final Comparator<Group> ORDER = Comparator.comparingInt(Group::priority)
        .thenComparing(g -> g.locality().region()).thenComparing(g -> g.locality().zone())
        .thenComparing(g -> g.locality().subzone());
  }

  /**
   * One {@code LocalityLbEndpoints} to encode: its members sorted, their serialised metadata, and (filled by
   * {@link #size()}) each member's {@code LbEndpoint} size.
   */
  private record LocalityWire(Locality locality, List<Ep> members, int weight, int priority, int[] sizes,
      byte[][] metadata) {

    // envoy.config.endpoint.v3.LocalityLbEndpoints
    private static final int LOCALITY = 1;
    private static final int LB_ENDPOINTS = 2;
    private static final int LOAD_BALANCING_WEIGHT = 3;
    private static final int PRIORITY = 5;
    // envoy.config.core.v3.Locality
    private static final int REGION = 1;
    private static final int ZONE = 2;
    private static final int SUB_ZONE = 3;
    // envoy.config.endpoint.v3.LbEndpoint; Endpoint.address, Address.socket_address, UInt32Value.value: all 1
    private static final int ENDPOINT = 1;
    private static final int HEALTH_STATUS = 2;
    private static final int METADATA = 3;
    private static final int LB_WEIGHT = 4;
    private static final int FIRST = 1;
    // envoy.config.core.v3.SocketAddress
    private static final int ADDRESS = 2;
    private static final int PORT_VALUE = 3;

    int size() {
      int size = locality.equals(Locality.UNKNOWN) ? 0 : EncodedEndpoints.nested(LOCALITY, localitySize());
      for (int i = 0; i < members.size(); i++) {
        sizes[i] = lbEndpointSize(members.get(i), metadata[i]);
        size += EncodedEndpoints.nested(LB_ENDPOINTS, sizes[i]);
      }
      size += EncodedEndpoints.nested(LOAD_BALANCING_WEIGHT, uint32Value(weight));
      if (priority != 0) {
        size += CodedOutputStream.computeUInt32Size(PRIORITY, priority);
      }
      return size;
    }

    void write(CodedOutputStream out) throws IOException {
      if (!locality.equals(Locality.UNKNOWN)) {
        EncodedEndpoints.begin(out, LOCALITY, localitySize());
        string(out, REGION, locality.region());
        string(out, ZONE, locality.zone());
        string(out, SUB_ZONE, locality.subzone());
      }
      for (int i = 0; i < members.size(); i++) {
        Ep ep = members.get(i);
        EncodedEndpoints.begin(out, LB_ENDPOINTS, sizes[i]);
        int socket = socketAddressSize(ep);
        int address = EncodedEndpoints.nested(FIRST, socket);
        EncodedEndpoints.begin(out, ENDPOINT, EncodedEndpoints.nested(FIRST, address));
        EncodedEndpoints.begin(out, FIRST, address);
        EncodedEndpoints.begin(out, FIRST, socket);
        string(out, ADDRESS, ep.address());
        out.writeUInt32(PORT_VALUE, ep.port()); // in a oneof: written whenever set, 0 included
        if (ep.health().getNumber() != 0) {
          out.writeEnum(HEALTH_STATUS, ep.health().getNumber());
        }
        out.writeByteArray(METADATA, metadata[i]);
        if (ep.weight() != 1) { // unset is 1 (Envoy's default)
          EncodedEndpoints.begin(out, LB_WEIGHT, uint32Value(ep.weight()));
          if (ep.weight() != 0) {
            out.writeUInt32(FIRST, ep.weight());
          }
        }
      }
      EncodedEndpoints.begin(out, LOAD_BALANCING_WEIGHT, uint32Value(weight));
      out.writeUInt32(FIRST, weight);
      if (priority != 0) {
        out.writeUInt32(PRIORITY, priority);
      }
    }

    private int localitySize() {
      return stringSize(REGION, locality.region()) + stringSize(ZONE, locality.zone())
          + stringSize(SUB_ZONE, locality.subzone());
    }

    private static int lbEndpointSize(Ep ep, byte[] metadata) {
      int size = EncodedEndpoints.nested(ENDPOINT, EncodedEndpoints.nested(FIRST, EncodedEndpoints.nested(FIRST,
          socketAddressSize(ep))));
      if (ep.health().getNumber() != 0) {
        size += CodedOutputStream.computeEnumSize(HEALTH_STATUS, ep.health().getNumber());
      }
      size += CodedOutputStream.computeByteArraySize(METADATA, metadata);
      if (ep.weight() != 1) {
        size += EncodedEndpoints.nested(LB_WEIGHT, uint32Value(ep.weight()));
      }
      return size;
    }

    private static int socketAddressSize(Ep ep) {
      return stringSize(ADDRESS, ep.address()) + CodedOutputStream.computeUInt32Size(PORT_VALUE, ep.port());
    }

    /** The size of a {@code UInt32Value} message (proto3: a zero value is not written). */
    private static int uint32Value(int value) {
      return value == 0 ? 0 : CodedOutputStream.computeUInt32Size(FIRST, value);
    }

    /** proto3 strings: the empty string is not written. */
    private static int stringSize(int field, String value) {
      return value.isEmpty() ? 0 : CodedOutputStream.computeStringSize(field, value);
    }

    private static void string(CodedOutputStream out, int field, String value) throws IOException {
      if (!value.isEmpty()) {
        out.writeString(field, value);
      }
    }
  }

  /** Istio's {@code distribute}: the first rule whose {@code from} matches the client; its weight for the locality. */
  private static int distributedWeight(EndpointPolicy policy, Locality locality) {
    for (Distribute rule : policy.distribute()) {
      if (LocalityPatterns.matches(rule.from(), policy.client())) {
        for (Map.Entry<String, Integer> to : new TreeMap<>(rule.to()).entrySet()) {
          if (LocalityPatterns.matches(to.getKey(), locality)) {
            return to.getValue();
          }
        }
        return 0;
      }
    }
    return 1;
  }

  /**
   * The serialised metadata of an endpoint, shared by every endpoint with the same. Written in wire form, as
   * protobuf's deterministic serialisation writes the {@code Metadata} message (map entries in key order, each with
   * its key and value; a {@code Value}'s string in its oneof field even when empty): a mesh has tens of thousands of
   * distinct workloads, and building the messages to serialise them cost more than the rest of the endpoint.
   * TranslationDeterminismTest compares the result with protobuf's own serialisation.
   */
  private byte[] metadata(Ep ep) {
    MetadataKey key = new MetadataKey(ep.istioMtls(), ep.workload(), ep.clusterId(), ep.network());
    return interned.computeIfAbsent(key, k -> {
      // Struct fields by key: cluster < network < workload; filter_metadata by key: envoy.transport_socket_match
      // < istio.
      String[] keys = ep.workload() == null ? new String[] {"cluster", "network"}
          : new String[] {"cluster", "network", "workload"};
      String[] values = ep.workload() == null ? new String[] {ep.clusterId(), ep.network()}
          : new String[] {ep.clusterId(), ep.network(), ep.workload() + ";" + ep.clusterId()};
      int istio = structSize(keys, values);
      int size = (ep.istioMtls() ? filterEntrySize(TRANSPORT_SOCKET_MATCH, TLS_MODE_SIZE) : 0)
          + filterEntrySize(ISTIO_METADATA, istio);
      byte[] bytes = new byte[size];
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      try {
        if (ep.istioMtls()) {
          writeFilterEntry(out, TRANSPORT_SOCKET_MATCH, TLS_MODE_KEYS, TLS_MODE_VALUES, TLS_MODE_SIZE);
        }
        writeFilterEntry(out, ISTIO_METADATA, keys, values, istio);
        out.checkNoSpaceLeft();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return bytes;
    });
  }

  /** The size of a {@code Struct} of string values, {@code keys} in order. */
  private static int structSize(String[] keys, String[] values) {
    int size = 0;
    for (int i = 0; i < keys.length; i++) {
      int entry = fieldEntrySize(keys[i], values[i]);
      size += CodedOutputStream.computeTagSize(STRUCT_FIELDS) + CodedOutputStream.computeUInt32SizeNoTag(entry)
          + entry;
    }
    return size;
  }

  private static int fieldEntrySize(String key, String value) {
    int valueSize = CodedOutputStream.computeStringSize(STRING_VALUE, value);
    return CodedOutputStream.computeStringSize(ENTRY_KEY, key) + CodedOutputStream.computeTagSize(ENTRY_VALUE)
        + CodedOutputStream.computeUInt32SizeNoTag(valueSize) + valueSize;
  }

  private static int filterEntrySize(String namespace, int structSize) {
    int entry = filterEntryBody(namespace, structSize);
    return CodedOutputStream.computeTagSize(FILTER_METADATA) + CodedOutputStream.computeUInt32SizeNoTag(entry)
        + entry;
  }

  private static int filterEntryBody(String namespace, int structSize) {
    return CodedOutputStream.computeStringSize(ENTRY_KEY, namespace) + CodedOutputStream.computeTagSize(ENTRY_VALUE)
        + CodedOutputStream.computeUInt32SizeNoTag(structSize) + structSize;
  }

  private static void writeFilterEntry(CodedOutputStream out, String namespace, String[] keys, String[] values,
      int structSize) throws IOException {
    out.writeTag(FILTER_METADATA, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    out.writeUInt32NoTag(filterEntryBody(namespace, structSize));
    out.writeString(ENTRY_KEY, namespace);
    out.writeTag(ENTRY_VALUE, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    out.writeUInt32NoTag(structSize);
    for (int i = 0; i < keys.length; i++) {
      out.writeTag(STRUCT_FIELDS, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(fieldEntrySize(keys[i], values[i]));
      out.writeString(ENTRY_KEY, keys[i]);
      out.writeTag(ENTRY_VALUE, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(CodedOutputStream.computeStringSize(STRING_VALUE, values[i]));
      out.writeString(STRING_VALUE, values[i]);
    }
  }
}
