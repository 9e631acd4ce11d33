package io.meshfed.control.plane.runtime;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.control.plane.config.ConfigSnapshot;
import io.meshfed.federation.catalog.Catalog;
import io.meshfed.federation.catalog.CatalogSettings;
import io.meshfed.federation.catalog.ClusterInfo;
import io.meshfed.federation.catalog.ClusterPublisher;
import io.meshfed.federation.catalog.ExpiryPolicy;
import io.meshfed.federation.catalog.GatewayAddress;
import io.meshfed.federation.catalog.Locality;
import io.meshfed.federation.catalog.Reach;
import io.meshfed.federation.discovery.ExportIndex;
import io.meshfed.federation.discovery.ExportSettings;
import io.meshfed.federation.discovery.ExportSink;
import io.meshfed.federation.discovery.ServiceExport;
import io.meshfed.federation.membership.HazelcastMember;
import io.meshfed.federation.membership.MemberSettings;
import io.meshfed.federation.membership.Membership;
import io.meshfed.federation.relay.RelayPeer;
import io.meshfed.federation.remote.RemoteClusterRegistry;
import io.meshfed.federation.remote.RemoteSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This control plane in the federation, assembled as docs/federation.md's "What the coordinator plugs in" says:
 * a Hazelcast member named after the cluster id (through the SPIFFE mTLS relay, whose TLS is trust's, reloaded on
 * every SVID rotation), the catalog and this cluster's publisher, the local exports computed by an
 * {@link ExportIndex} from the config snapshot's Kubernetes objects (one set of informers for config and
 * discovery), and, on Kubernetes, the remote clusters registered by Secret, whose announced relays become peers.
 */
final class FederationMember {

  /** The Istio label naming the network a Service's gateway serves (Istio's "multi-network" setup). */
  static final String NETWORK_LABEL = "topology.istio.io/network";
  private static final Logger LOG = LoggerFactory.getLogger(FederationMember.class);
  private static final Duration ADMIN_URLS_WAIT = Duration.ofSeconds(1);

  private final Vertx vertx;
  /** Where the ordered blocking tasks that own the export index are queued (one queue, whatever the caller). */
  private final io.vertx.core.Context context;
  private final ControlPlaneSettings settings;
  private final HazelcastMember member;
  private final Catalog catalog;
  private final ClusterPublisher publisher;
  private final ExportIndex index;
  private final RemoteClusterRegistry registry;
  private final AutoCloseable rotation;
  private final AtomicBoolean firstLoad = new AtomicBoolean(true);
  private final Promise<Void> published = Promise.promise();
  private final AtomicReference<Future<Map<String, String>>> adminUrlsRead = new AtomicReference<>();
  private volatile Map<String, String> lastAdminUrls = Map.of();
  // Written by ordered blocking tasks only.
  private ClusterInfo info;

  private FederationMember(Vertx vertx, ControlPlaneSettings settings, HazelcastMember member, Catalog catalog,
      ClusterPublisher publisher, ClusterInfo info, RemoteClusterRegistry registry, AutoCloseable rotation) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.settings = settings;
    this.member = member;
    this.catalog = catalog;
    this.publisher = publisher;
    this.info = info;
    this.registry = registry;
    this.rotation = rotation;
    ExportSettings exportSettings = new ExportSettings(Reach.GATEWAY, locality(settings), Map.of());
    this.index = new ExportIndex(settings.clusterId(), exportSettings, ExportSink.of(publisher));
  }

  static Future<FederationMember> start(Vertx vertx, ControlPlaneSettings settings, ControlPlaneTrust trust,
      KubernetesClient client, MeterRegistry registry, String version) {
    ControlPlaneSettings.Federation federation = settings.federation();
    Membership membership;
    RelayTls tls = new RelayTls(trust.federationTls(), trust.svid());
    if (federation.kubernetesDiscovery()) {
      membership = new Membership.Kubernetes(settings.systemNamespace(), ControlPlaneSettings.CONTROL_PLANE_ACCOUNT,
          federation.hazelcastPort());
    } else {
      membership = new Membership.Relayed("0.0.0.0", federation.relayPort(), federation.hazelcastPort(),
          configuredPeers(settings), tls);
    }
    MemberSettings memberSettings = MemberSettings.of(settings.meshId(), settings.clusterId(), membership)
        .withMemberTimeout(federation.memberTimeout()).withMergeInterval(federation.mergeInterval());
    CatalogSettings catalogSettings = CatalogSettings.builder()
        .withdrawGrace(federation.leaseGrace())
        .expiryPolicy(federation.onStale() == ControlPlaneSettings.OnStale.WITHDRAW ? ExpiryPolicy.WITHDRAW
            : ExpiryPolicy.FAIL_STATIC)
        .build();
    ClusterInfo info = new ClusterInfo(settings.clusterId(), settings.network(), locality(settings), List.of(),
        version);
    return HazelcastMember.start(vertx, memberSettings, registry).compose(member -> {
      AutoCloseable rotation = trust.svid().onRotation(svid -> member.relay().ifPresent(relay -> relay.reloadTls()
          .onFailure(e -> LOG.error("federation relay: cannot reload TLS after the SVID rotated", e))));
      return Catalog.start(vertx, member.hazelcast(), catalogSettings, settings.clusterId(), registry)
          .compose(catalog -> catalog.standbyPublisher(info).compose(publisher -> {
            RemoteClusterRegistry remotes = client == null ? null : RemoteClusterRegistry.builder()
                .vertx(vertx).localClient(client).namespace(settings.systemNamespace())
                .localClusterId(settings.clusterId()).catalog(catalog).meters(registry)
                .settings(new RemoteSettings(Duration.ofSeconds(30), federation.remoteSecretTimeout(),
                    Duration.ofSeconds(10), Duration.ofSeconds(5), Map.of()))
                .build();
            FederationMember started = new FederationMember(vertx, settings, member, catalog, publisher, info,
                remotes, rotation);
            if (remotes == null) {
              return Future.succeededFuture(started);
            }
            return remotes.start().map(v -> {
              if (membership instanceof Membership.Relayed) {
                remotes.onPeers(announced -> started.peersChanged(announced));
              }
              return started;
            }).recover(e -> started.close().transform(ignored -> Future.failedFuture(e)));
          }).recover(e -> catalog.close().transform(ignored -> Future.failedFuture(e))))
          .recover(e -> {
            close(rotation);
            return member.close(vertx).transform(ignored -> Future.failedFuture(e));
          });
    });
  }

  private static List<RelayPeer> configuredPeers(ControlPlaneSettings settings) {
    List<RelayPeer> peers = new ArrayList<>();
    for (ControlPlaneSettings.Member m : settings.federation().members()) {
      peers.add(new RelayPeer(m.clusterId(), m.relay().host(), m.relay().port()));
    }
    return peers;
  }

  private void peersChanged(Map<String, String> announced) {
    List<RelayPeer> peers = new ArrayList<>(configuredPeers(settings));
    announced.forEach((clusterId, endpoint) -> {
      if (peers.stream().noneMatch(p -> p.memberName().equals(clusterId))) {
        try {
          peers.add(RelayPeer.fromEndpoint(clusterId, endpoint));
        } catch (IllegalArgumentException e) {
          LOG.warn("remote cluster {}: federation endpoint ignored: {}", clusterId, e.getMessage());
        }
      }
    });
    member.setPeers(peers).onFailure(e -> LOG.warn("federation peers: {}", e.getMessage()));
  }

  private static Locality locality(ControlPlaneSettings settings) {
    return Locality.of(settings.locality().region(), settings.locality().zone(), "");
  }

  /**
   * Publishes the local exports of a new config snapshot: the index diffs them against the previous ones, so only
   * changed services are written; the first load marks this epoch republished. The cluster's east-west gateways
   * (Services labelled with this network) update the cluster record when they change.
   */
  Future<Void> localObjects(ConfigSnapshot snapshot) {
    List<HasMetadata> objects = new ArrayList<>();
    objects.addAll(snapshot.services());
    objects.addAll(snapshot.endpointSlices());
    objects.addAll(snapshot.pods());
    objects.addAll(snapshot.namespaces());
    snapshot.serviceExports().forEach(export -> {
      ServiceExport object = new ServiceExport();
      object.setMetadata(new ObjectMetaBuilder().withName(export.meta().name())
          .withNamespace(export.meta().namespace()).build());
      objects.add(object);
    });
    List<GatewayAddress> gateways = gateways(snapshot.services());
    // Ordered on one context: the index is confined to one sequence of tasks, never two at once, even though
    // snapshots arrive on the config store's thread.
    return context.<Void>executeBlocking(() -> {
      index.replaceAll(objects);
      if (!gateways.equals(info.gateways())) {
        info = info.withGateways(gateways);
        publisher.updateInfo(info);
        LOG.info("cluster {}: east-west gateways {}", settings.clusterId(), gateways);
      }
      return null;
    }, true).compose(v -> {
      if (firstLoad.compareAndSet(true, false)) {
        return publisher.replaceAll(index.exported().values()).onComplete(published);
      }
      return Future.succeededFuture();
    });
  }

  /** The addresses of this network's east-west gateway Services (LoadBalancer ingress, else external IPs). */
  List<GatewayAddress> gateways(List<Service> services) {
    List<GatewayAddress> out = new ArrayList<>();
    for (Service service : services) {
      Map<String, String> labels = service.getMetadata().getLabels();
      String network = labels == null ? null : labels.get(NETWORK_LABEL);
      if (network == null || !network.equals(settings.network())) {
        continue;
      }
      int port = GatewayAddress.DEFAULT_PORT;
      if (service.getSpec() != null && service.getSpec().getPorts() != null) {
        for (ServicePort p : service.getSpec().getPorts()) {
          if ("tls".equals(p.getName()) || p.getPort() == GatewayAddress.DEFAULT_PORT) {
            port = p.getPort();
          }
        }
      }
      List<String> hosts = new ArrayList<>();
      if (service.getStatus() != null && service.getStatus().getLoadBalancer() != null
          && service.getStatus().getLoadBalancer().getIngress() != null) {
        for (LoadBalancerIngress ingress : service.getStatus().getLoadBalancer().getIngress()) {
          Optional.ofNullable(ingress.getIp()).or(() -> Optional.ofNullable(ingress.getHostname()))
              .ifPresent(hosts::add);
        }
      }
      if (hosts.isEmpty() && service.getSpec() != null && service.getSpec().getExternalIPs() != null) {
        hosts.addAll(service.getSpec().getExternalIPs());
      }
      for (String host : hosts) {
        out.add(new GatewayAddress(host, port));
      }
    }
    out.sort(java.util.Comparator.comparing(GatewayAddress::toString));
    return List.copyOf(out);
  }

  /**
   * Completes once this member holds the whole catalog and has published its own exports once (a replica standing by
   * counts them published once its publisher remembers them: the owner publishes the cluster).
   */
  Future<Void> synced() {
    return Future.all(catalog.view().synced(), published.future()).mapEmpty();
  }

  /** Completes when remote clusters present at start synced, or their timeout ran out; at once without any. */
  Future<Void> remotesReady() {
    return registry == null ? Future.succeededFuture() : registry.ready();
  }

  /** The Hazelcast map where control planes advertise their admin URLs ({@code /debug/clusterz}). */
  static final String CONTROL_PLANES_MAP = "meshfed.controlplanes";

  /** Advertises this control plane's admin URL to the federation (for {@code meshfed proxy-status}). */
  Future<Void> advertiseAdmin(String url) {
    return vertx.executeBlocking(() -> {
      member.hazelcast().<String, String>getMap(CONTROL_PLANES_MAP).set(settings.clusterId(), url);
      return null;
    }, false);
  }

  /**
   * Every advertised admin URL, by cluster id. During a partition the map read blocks on the unreachable member's partitions
   * until Hazelcast drops it ({@code federation.memberTimeout}): the answer then comes from the last complete read
   * after {@link #ADMIN_URLS_WAIT}, and at most one read waits on a worker thread at a time.
   */
  Future<Map<String, String>> adminUrls() {
    Future<Map<String, String>> read = adminUrlsRead.get();
    if (read == null || read.isComplete()) {
      read = vertx.executeBlocking(() -> Map.copyOf(member.hazelcast().<String, String>getMap(CONTROL_PLANES_MAP)),
          false);
      read.onSuccess(urls -> lastAdminUrls = urls);
      adminUrlsRead.set(read);
    }
    return read.timeout(ADMIN_URLS_WAIT.toMillis(), TimeUnit.MILLISECONDS)
        .recover(slow -> Future.succeededFuture(lastAdminUrls));
  }

  Catalog catalog() {
    return catalog;
  }

  HazelcastMember member() {
    return member;
  }

  Optional<RemoteClusterRegistry> remotes() {
    return Optional.ofNullable(registry);
  }

  Future<Void> close() {
    close(rotation);
    Future<Void> remotes = registry == null ? Future.succeededFuture() : registry.close();
    return remotes.eventually(publisher::close).eventually(catalog::close)
        .eventually(() -> member.close(vertx)).mapEmpty();
  }

  private static void close(AutoCloseable handle) {
    try {
      handle.close();
    } catch (Exception e) {
      LOG.debug("closing a rotation listener failed", e);
    }
  }
}
