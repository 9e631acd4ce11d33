package io.meshfed.it.bench.translate;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
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
import io.meshfed.control.plane.translate.GatewayGroup;
import io.meshfed.control.plane.translate.MeshTranslator;
import io.meshfed.control.plane.translate.MeshView;
import io.meshfed.control.plane.translate.RemoteCatalog;
import io.meshfed.control.plane.translate.Translation;
import io.meshfed.control.plane.xds.Snapshot;
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
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Issue 5's translation figures: a mesh of {@code services} services with {@code endpoints} endpoints spread over
 * three clusters (this one from Kubernetes objects; "west" on the same network, its pods listed in the catalog;
 * "north" on another network, reached through its east-west gateway), 1,000 ingress VirtualServices with subsets,
 * every local service exported; gateway groups ingress and east-west.
 *
 * <p>Prints: the cold first full translation, the warm-up full translations (a fresh translator each time, while the
 * JIT still compiles), the steady full translation after them (a fresh translator each time, median of {@code fulls}),
 * the heap after GC holding the resulting state (config, catalog, translator with its snapshots), and the time of an
 * incremental translation after one endpoint change (local EndpointSlice or remote catalog entry), p50/p99.
 *
 * <p>Arguments (optional): {@code services=10000 endpoints=100000 routes=1000 rounds=40 warmups=10 fulls=10}.
 */
public final class TranslateBenchmark {

  private static final String CLUSTER = "east";

  private TranslateBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    Map<String, Integer> opts = new HashMap<>(Map.of("services", 10_000, "endpoints", 100_000, "routes", 1_000,
        "rounds", 40, "warmups", 10, "fulls", 10));
    for (String a : args) {
      String[] kv = a.split("=", 2);
      if (kv.length != 2 || !opts.containsKey(kv[0])) {
        throw new IllegalArgumentException("argument: " + a + " (expected: one of " + opts.keySet()
            + " as key=value)");
      }
      opts.put(kv[0], Integer.parseInt(kv[1]));
    }
    if (opts.get("fulls") < 1 || opts.get("warmups") < 0) {
      throw new IllegalArgumentException("fulls: " + opts.get("fulls") + ", warmups: " + opts.get("warmups")
          + " (expected: fulls >= 1, warmups >= 0)");
    }
    int services = opts.get("services");
    int endpointsPerCluster = opts.get("endpoints") / 3;
    int routes = Math.min(opts.get("routes"), services);

    long baseline = usedAfterGc();
    long setupStart = System.nanoTime();
    Mesh mesh = new Mesh(services, endpointsPerCluster, routes);
    ConfigSnapshot config = mesh.config();
    RemoteCatalog catalog = mesh.catalog();
    List<GatewayGroup> groups = List.of(
        group("istio-ingressgateway", GatewayRole.INGRESS, Map.of("istio", "ingressgateway")),
        group("istio-eastwestgateway", GatewayRole.EASTWEST, Map.of("istio", "eastwestgateway")));
    System.out.printf(Locale.ROOT, "mesh: %,d services, %,d endpoints in 3 clusters (%,d here, %,d west, %,d north),"
        + " %,d ingress routes; config snapshot of %,d objects built in %.1f s%n", services,
        mesh.endpointTotal(), mesh.localEndpoints, mesh.westEndpoints, mesh.northEndpoints, routes,
        config.allConfig().size() + config.services().size() + config.endpointSlices().size() + config.pods().size(),
        (System.nanoTime() - setupStart) / 1e9);

    MeshView view = view(config, catalog, groups);
    MeshTranslator translator = MeshTranslator.create();
    long start = System.nanoTime();
    long cpuStart = processCpuNanos();
    Translation first = translator.translate(view);
    double cold = (System.nanoTime() - start) / 1e6;
    double coldCpu = (processCpuNanos() - cpuStart) / 1e6;
    int resources = first.stats().resources();
    System.out.printf(Locale.ROOT, "full translation, cold JVM: %.0f ms (process CPU %.0f ms) -> %,d resources in %d "
        + "snapshots (%s); %d problems%n", cold, coldCpu, resources, first.snapshots().size(), counts(first),
        first.problems().size());

    // The type versions digest every resource's name and bytes: equal lines from two builds mean equal output.
    System.out.println("output versions: " + versions(first));

    // Warm-up: fresh full translations right after the cold one still run beside the JIT compiling what the cold one
    // made hot (C2 has one thread on 2 cores and a backlog of seconds) and beside G1 marking the state the cold one
    // left; their figures are printed, the steady ones are measured after them.
    Runs warmup = fullTranslations(view, opts.get("warmups"));
    if (warmup.count() > 0) {
      System.out.printf(Locale.ROOT, "full translation, warm-up (fresh translator x%d, JIT still compiling): %s%n",
          warmup.count(), warmup);
    }
    Runs steady = fullTranslations(view, opts.get("fulls"));
    System.out.printf(Locale.ROOT, "full translation, warm (fresh translator x%d after the cold one and %d warm-up"
        + " ones): %s   [target <= 1000 ms]%n", steady.count(), warmup.count(), steady);

    long held = usedAfterGc();
    System.out.printf(Locale.ROOT, "heap after GC holding config + catalog + translator + snapshots: %,d MiB "
        + "(JVM baseline before the mesh was built: %,d MiB; the state itself: %,d MiB)   [target <= 1024 MiB]%n",
        held >> 20, baseline >> 20, (held - baseline) >> 20);

    int rounds = opts.get("rounds");
    double[] local = new double[rounds / 2];
    double[] remote = new double[rounds - rounds / 2];
    double[] configRebuild = new double[local.length];
    int changed = 0;
    for (int i = 0; i < rounds; i++) {
      MeshView next;
      if (i % 2 == 0) {
        long t = System.nanoTime();
        config = mesh.changeLocalEndpoint(i);
        configRebuild[i / 2] = (System.nanoTime() - t) / 1e6;
        next = view.toBuilder().config(config).build();
      } else {
        catalog = mesh.changeRemoteEndpoint(catalog, i);
        next = view.toBuilder().catalog(catalog).config(config).build();
      }
      long t = System.nanoTime();
      Translation translation = translator.translate(next);
      double ms = (System.nanoTime() - t) / 1e6;
      if (!translation.stats().incremental()) {
        throw new IllegalStateException("round " + i + ": expected an incremental translation: " + translation.stats());
      }
      changed += translation.stats().changedResources();
      if (i % 2 == 0) {
        local[i / 2] = ms;
      } else {
        remote[i / 2] = ms;
      }
      view = next;
    }
    Arrays.sort(local);
    Arrays.sort(remote);
    Arrays.sort(configRebuild);
    System.out.printf(Locale.ROOT, "incremental, one local endpoint changed (EndpointSlice): p50 %.1f ms, p99 %.1f ms"
        + " (the config store's snapshot rebuild before it: p50 %.0f ms)%n", pct(local, 50), pct(local, 99),
        pct(configRebuild, 50));
    System.out.printf(Locale.ROOT, "incremental, one remote endpoint changed (catalog entry): p50 %.1f ms, p99 %.1f ms"
        + "%n", pct(remote, 50), pct(remote, 99));
    System.out.printf(Locale.ROOT, "resources rebuilt per change: %.1f on average (load assignments of the changed "
        + "service, per group)%n", changed / (double) rounds);
    System.out.printf(Locale.ROOT, "machine: %d cores, load average %.1f%n",
        Runtime.getRuntime().availableProcessors(), ManagementFactory.getOperatingSystemMXBean()
            .getSystemLoadAverage());
  }

  /**
   * Full translations, each by a fresh translator (nothing reused), sorted per figure: wall time, process CPU time
   * (all threads, GC and JIT included: on a shared machine the wall time mostly measures the other processes, CPU time
   * the work done), the collectors' and the JIT compilers' time.
   */
  private record Runs(double[] wall, double[] cpu, double[] gc, double[] jit) {

    int count() {
      return wall.length;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "median %.0f ms, best %.0f ms, worst %.0f ms; process CPU median %.0f ms, GC "
          + "(collectors' time) median %.0f ms, JIT (compilers' time) median %.0f ms", median(wall), wall[0],
          wall[wall.length - 1], median(cpu), median(gc), median(jit));
    }

    private static double median(double[] sorted) {
      return sorted[sorted.length / 2];
    }
  }

  private static Runs fullTranslations(MeshView view, int n) {
    double[] wall = new double[n];
    double[] cpu = new double[n];
    double[] gc = new double[n];
    double[] jit = new double[n];
    for (int i = 0; i < n; i++) {
      MeshTranslator fresh = MeshTranslator.create();
      long t = System.nanoTime();
      long cpuStart = processCpuNanos();
      long gcStart = gcMillis();
      long jitStart = jitMillis();
      fresh.translate(view);
      wall[i] = (System.nanoTime() - t) / 1e6;
      cpu[i] = (processCpuNanos() - cpuStart) / 1e6;
      gc[i] = gcMillis() - gcStart;
      jit[i] = jitMillis() - jitStart;
    }
    Arrays.sort(wall);
    Arrays.sort(cpu);
    Arrays.sort(gc);
    Arrays.sort(jit);
    return new Runs(wall, cpu, gc, jit);
  }

  private static long gcMillis() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(b -> Math.max(0, b.getCollectionTime()))
        .sum();
  }

  /** The JIT compilers' accumulated time (their threads run beside the translation, on the same cores). */
  /** The JIT compilers' total time; 0 on a JVM that does not report it (the JIT column then reads 0). */
  private static long jitMillis() {
    java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static double pct(double[] sorted, int p) {
    if (sorted.length == 0) {
      return 0;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static String counts(Translation translation) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, Snapshot> e : translation.snapshots().entrySet()) {
      out.append(e.getKey()).append(':');
      for (XdsResourceType type : XdsResourceType.values()) {
        out.append(' ').append(type.shortName()).append('=').append(e.getValue().resources(type).size());
      }
      out.append("; ");
    }
    return out.toString().replaceAll("; $", "");
  }

  private static String versions(Translation translation) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, Snapshot> e : translation.snapshots().entrySet()) {
      out.append(e.getKey()).append(':');
      for (XdsResourceType type : XdsResourceType.values()) {
        out.append(' ').append(type.shortName()).append('@').append(e.getValue().version(type));
      }
      out.append("; ");
    }
    return out.toString().replaceAll("; $", "");
  }

  private static long usedAfterGc() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(200);
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  private static GatewayGroup group(String workload, GatewayRole role, Map<String, String> labels) {
    return new GatewayGroup(CLUSTER + "/" + role.metadataValue() + "/" + workload, CLUSTER, Optional.of(role),
        GatewayGroup.Form.GATEWAY, "istio-system", workload, labels, "", Locality.UNKNOWN);
  }

  private static MeshView view(ConfigSnapshot config, RemoteCatalog catalog, List<GatewayGroup> groups) {
    return MeshView.builder().meshId("mesh1").clusterId(CLUSTER).network("net1")
        .locality(Locality.of("us-east", "zone-a", "")).trustDomain("cluster.local").config(config)
        .catalog(catalog).gateways(groups).build();
  }

  /** The generated mesh and its change generators. */
  private static final class Mesh {
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
    int localEndpoints;
    int westEndpoints;
    int northEndpoints;

    Mesh(int services, int perCluster, int routes) throws Exception {
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

    /** Flips the readiness of one endpoint of one service's EndpointSlice, as an informer update would. */
    ConfigSnapshot changeLocalEndpoint(int round) {
      int service = (round * 7919) % services;
      int at = sliceIndex.get(service);
      EndpointSlice slice = (EndpointSlice) kubernetes.get(at).object().orElseThrow();
      EndpointSlice next = new EndpointSliceBuilder(slice).build();
      var endpoint = next.getEndpoints().get(0);
      endpoint.getConditions().setReady(!Boolean.TRUE.equals(endpoint.getConditions().getReady()));
      kubernetes.set(at, RawResource.object(next, kubernetes.get(at).origin()));
      rebuild();
      return config;
    }

    /** Marks one endpoint of one service in the west cluster unhealthy (or healthy again), as a catalog event. */
    RemoteCatalog changeRemoteEndpoint(RemoteCatalog catalog, int round) {
      int service = (round * 104_729) % services;
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
  }
}
