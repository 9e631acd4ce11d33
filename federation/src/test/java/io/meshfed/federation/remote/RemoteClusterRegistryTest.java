package io.meshfed.federation.remote;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.federation.catalog.Catalog;
import io.meshfed.federation.catalog.CatalogEvent;
import io.meshfed.federation.catalog.CatalogMaps;
import io.meshfed.federation.catalog.CatalogSettings;
import io.meshfed.federation.catalog.ClusterExport;
import io.meshfed.federation.catalog.ClusterHealth;
import io.meshfed.federation.catalog.ClusterInfo;
import io.meshfed.federation.catalog.ClusterPublisher;
import io.meshfed.federation.catalog.ClusterRecord;
import io.meshfed.federation.catalog.ClusterView;
import io.meshfed.federation.discovery.ExportIndex;
import io.meshfed.federation.discovery.ExportSettings;
import io.meshfed.federation.discovery.ExportSink;
import io.meshfed.federation.discovery.InformerFeed;
import io.vertx.core.Context;
import io.meshfed.federation.catalog.FederatedService;
import io.meshfed.federation.catalog.ServiceKey;
import io.meshfed.federation.discovery.ServiceExport;
import io.meshfed.federation.testing.Await;
import io.meshfed.federation.testing.FirstWrite;
import io.meshfed.federation.testing.StuckRemoval;
import io.meshfed.it.kube.MockKubernetesCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Remote clusters by Secret against one fabric8 mock API server per simulated cluster. */
class RemoteClusterRegistryTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String NS = "istio-system";
  private static final ServiceKey REVIEWS = ServiceKey.of("default", "reviews");

  private final Vertx vertx = Vertx.vertx();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private MockKubernetesCluster east;
  private MockKubernetesCluster west;
  private HazelcastInstance member;
  private Catalog catalog;
  private RemoteClusterRegistry registry;
  private final Map<ServiceKey, FederatedService> seen = new HashMap<>();
  private final List<FederatedService> reviewsHistory = new ArrayList<>();
  private final Map<String, ClusterView> clusters = new HashMap<>();

  @BeforeEach
  void start() throws Exception {
    east = MockKubernetesCluster.start("east", InetAddress.getByName("127.0.1.1"));
    west = MockKubernetesCluster.start("west", InetAddress.getByName("127.0.2.1"));
    Config config = new Config().setClusterName("test-" + UUID.randomUUID());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.getNetworkConfig().setPort(0).getJoin().getMulticastConfig().setEnabled(false);
    config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    member = Hazelcast.newHazelcastInstance(CatalogMaps.configure(config, 0));
    catalog = await(Catalog.start(vertx, member, CatalogSettings.builder().heartbeatInterval(Duration.ofMillis(200))
        .leaseDuration(Duration.ofMillis(1000)).withdrawGrace(Duration.ofSeconds(30)).build(), "east", meters));
    catalog.view().subscribe(vertx.getOrCreateContext(), this::record);
  }

  @AfterEach
  void stop() throws Exception {
    if (registry != null) {
      await(registry.close());
    }
    await(catalog.close());
    member.getLifecycleService().terminate();
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
    west.close();
    east.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private synchronized void record(CatalogEvent event) {
    if (event instanceof CatalogEvent.Snapshot snapshot) {
      seen.putAll(snapshot.services());
      clusters.putAll(snapshot.clusters());
    } else if (event instanceof CatalogEvent.ClusterChanged changed) {
      clusters.put(changed.cluster().record().clusterId(), changed.cluster());
    } else if (event instanceof CatalogEvent.ServiceChanged changed) {
      seen.put(changed.key(), changed.service());
      if (changed.key().equals(REVIEWS)) {
        reviewsHistory.add(changed.service());
      }
    }
    notifyAll();
  }

  private synchronized void awaitCatalog(String what, Predicate<Map<ServiceKey, FederatedService>> condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.test(seen)) {
      assertThat(System.nanoTime()).as("timed out waiting for %s; catalog: %s", what, seen).isLessThan(deadline);
      wait(100);
    }
  }

  private synchronized void awaitCluster(String what, String clusterId, Predicate<ClusterView> condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (clusters.get(clusterId) == null || !condition.test(clusters.get(clusterId))) {
      assertThat(System.nanoTime()).as("timed out waiting for %s; %s: %s", what, clusterId, clusters.get(clusterId))
          .isLessThan(deadline);
      wait(100);
    }
  }

  private static List<String> addresses(Map<ServiceKey, FederatedService> services, String cluster) {
    FederatedService service = services.get(REVIEWS);
    ClusterExport export = service == null ? null : service.clusters().get(cluster);
    return export == null ? List.of() : export.endpoints().stream().map(e -> e.address()).toList();
  }

  private void awaitStatus(String clusterId, RemoteClusterState state) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      List<RemoteClusterStatus> statuses = await(registry.status());
      if (statuses.stream().anyMatch(s -> s.clusterId().equals(clusterId) && s.state() == state)) {
        return;
      }
      assertThat(System.nanoTime()).as("status of %s never became %s: %s", clusterId, state, statuses)
          .isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return Await.result(future, WAIT);
  }

  private RemoteClusterRegistry startRegistry(RemoteSettings settings) throws Exception {
    registry = RemoteClusterRegistry.builder().vertx(vertx).localClient(east.client()).namespace(NS)
        .localClusterId("east").catalog(catalog).meters(meters).settings(settings).build();
    await(registry.start());
    return registry;
  }

  private static RemoteSettings fast() {
    return new RemoteSettings(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofMillis(500),
        Duration.ofMillis(500), Map.of());
  }

  private static Secret secret(String name, String clusterId, String kubeconfig, String label) {
    return new SecretBuilder().withMetadata(new ObjectMetaBuilder().withNamespace(NS).withName(name)
            .addToLabels(label, "true").addToAnnotations(RemoteSecrets.CLUSTER_ANNOTATION, clusterId).build())
        .addToData(clusterId, Base64.getEncoder().encodeToString(kubeconfig.getBytes(StandardCharsets.UTF_8)))
        .build();
  }

  private static void exportReviews(KubernetesClient client, String... addresses) {
    client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("reviews")
        .withNamespace("default").endMetadata().withNewSpec().addNewPort().withName("http").withPort(9080)
        .endPort().endSpec().build()).createOr(existing -> existing.update());
    ServiceExport export = new ServiceExport();
    export.setMetadata(new ObjectMetaBuilder().withNamespace("default").withName("reviews").build());
    client.resources(ServiceExport.class).inNamespace("default").resource(export).createOr(existing -> existing.update());
    setEndpoints(client, addresses);
  }

  private static void setEndpoints(KubernetesClient client, String... addresses) {
    EndpointSliceBuilder slice = new EndpointSliceBuilder().withNewMetadata().withNamespace("default")
        .withName("reviews-1").addToLabels("kubernetes.io/service-name", "reviews").endMetadata()
        .withAddressType("IPv4").addNewPort().withName("http").withPort(9080).endPort();
    for (String address : addresses) {
      slice.addToEndpoints(new EndpointBuilder().withAddresses(address).withNewConditions().withReady(true)
          .endConditions().build());
    }
    client.discovery().v1().endpointSlices().inNamespace("default").resource(slice.build())
        .createOr(existing -> existing.update());
  }

  @Test
  void aSecretAddedAtRuntimeRegistersTheClusterAndPublishesItsExports() throws Exception {
    exportReviews(west.client(), "10.2.0.1");
    startRegistry(fast());
    await(registry.ready());

    east.client().secrets().inNamespace(NS).resource(secret("istio-remote-secret-west", "west", west.kubeconfig(),
        RemoteSecrets.ISTIO_LABEL)).create();

    awaitCatalog("west's reviews", s -> addresses(s, "west").equals(List.of("10.2.0.1")));
    awaitStatus("west", RemoteClusterState.SYNCED);
    setEndpoints(west.client(), "10.2.0.1", "10.2.0.2");
    awaitCatalog("west's second endpoint", s -> addresses(s, "west").size() == 2);
  }

  @Test
  void rotatingTheKubeconfigSwapsClientsWithoutWithdrawingEndpoints() throws Exception {
    exportReviews(west.client(), "10.2.0.1");
    east.client().secrets().inNamespace(NS).resource(secret("remote-west", "west", west.kubeconfig(),
        RemoteSecrets.LABEL)).create();
    startRegistry(fast());
    await(registry.ready());
    awaitCatalog("west's reviews", s -> addresses(s, "west").equals(List.of("10.2.0.1")));

    String rotated = west.kubeconfig().replace("token-west", "token-west-rotated");
    east.client().secrets().inNamespace(NS).resource(secret("remote-west", "west", rotated, RemoteSecrets.LABEL))
        .update();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (await(registry.status()).stream().noneMatch(s -> s.clusterId().equals("west")
        && s.state() == RemoteClusterState.SYNCED && meters.find("meshfed_remote_clusters").tag("state", "synced")
        .gauge().value() == 1)) {
      assertThat(System.nanoTime()).isLessThan(deadline);
      Thread.sleep(50);
    }
    // The rotated client sees changes; nothing in between ever withdrew west's endpoints.
    setEndpoints(west.client(), "10.2.0.1", "10.2.0.3");
    awaitCatalog("change through the rotated client", s -> addresses(s, "west").size() == 2);
    synchronized (this) {
      assertThat(reviewsHistory).allSatisfy(service -> assertThat(service.clusters()).containsKey("west"));
    }
  }

  @Test
  void deletingTheSecretWithdrawsTheCluster() throws Exception {
    exportReviews(west.client(), "10.2.0.1");
    east.client().secrets().inNamespace(NS).resource(secret("remote-west", "west", west.kubeconfig(),
        RemoteSecrets.LABEL)).create();
    startRegistry(fast());
    awaitCatalog("west's reviews", s -> !addresses(s, "west").isEmpty());

    east.client().secrets().inNamespace(NS).withName("remote-west").delete();

    awaitCatalog("west withdrawn", s -> addresses(s, "west").isEmpty());
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!await(registry.status()).isEmpty()) {
      assertThat(System.nanoTime()).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  @Test
  void closingTheRegistryWaitsForAWithdrawalStillOut() throws Exception {
    exportReviews(west.client(), "10.2.0.1");
    east.client().secrets().inNamespace(NS).resource(secret("remote-west", "west", west.kubeconfig(),
        RemoteSecrets.LABEL)).create();
    startRegistry(fast());
    awaitCatalog("west's reviews", s -> !addresses(s, "west").isEmpty());
    StuckRemoval removal = new StuckRemoval();
    IMap<Object, Object> entries = member.getMap("meshfed.services");
    entries.addInterceptor(removal);
    east.client().secrets().inNamespace(NS).withName("remote-west").delete();
    assertThat(removal.entered().await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("west's withdrawal under way").isTrue();

    Future<Void> closed = registry.close();
    registry = null;

    Thread.sleep(1000);
    assertThat(closed.isComplete()).as("the close waits for west's withdrawal").isFalse();
    removal.release();
    await(closed);
    assertThat(entries.values()).as("west's entries withdrawn before the close ended").isEmpty();
  }

  @Test
  void aMalformedSecretIsReportedAloneAndABadUpdateKeepsTheLastGoodCredentials() throws Exception {
    exportReviews(west.client(), "10.2.0.1");
    east.client().secrets().inNamespace(NS).resource(secret("remote-west", "west", west.kubeconfig(),
        RemoteSecrets.LABEL)).create();
    east.client().secrets().inNamespace(NS).resource(secret("remote-broken", "broken", "not: [a kubeconfig",
        RemoteSecrets.LABEL)).create();
    startRegistry(fast());
    await(registry.ready());
    awaitStatus("west", RemoteClusterState.SYNCED);

    RemoteClusterStatus broken = await(registry.status()).stream()
        .filter(s -> s.secret().equals(NS + "/remote-broken")).findFirst().orElseThrow();
    assertThat(broken.state()).isEqualTo(RemoteClusterState.INVALID);
    assertThat(broken.message()).contains("secret istio-system/remote-broken", "data[broken]", "not a kubeconfig")
        .doesNotContain("token-");
    assertThat(meters.find("meshfed_remote_secret_errors_total").tag("reason", "invalid").counter().count())
        .isEqualTo(1);

    east.client().secrets().inNamespace(NS).resource(secret("remote-west", "west", "garbage: [", RemoteSecrets.LABEL))
        .update();
    awaitStatus("", RemoteClusterState.INVALID);
    setEndpoints(west.client(), "10.2.0.1", "10.2.0.4");
    awaitCatalog("west still served by the last good credentials", s -> addresses(s, "west").size() == 2);
    assertThat(await(registry.status())).anyMatch(s -> s.clusterId().equals("west")
        && s.state() == RemoteClusterState.SYNCED);
  }

  @Test
  void theSameClusterIdInTwoSecretsIsRefusedNamingBoth() throws Exception {
    exportReviews(west.client(), "10.2.0.1");
    east.client().secrets().inNamespace(NS).resource(secret("a-west", "west", west.kubeconfig(),
        RemoteSecrets.LABEL)).create();
    startRegistry(fast());
    awaitStatus("west", RemoteClusterState.SYNCED);

    east.client().secrets().inNamespace(NS).resource(secret("b-west", "west", west.kubeconfig(),
        RemoteSecrets.ISTIO_LABEL)).create();

    awaitStatus("west", RemoteClusterState.REFUSED);
    RemoteClusterStatus refused = await(registry.status()).stream()
        .filter(s -> s.state() == RemoteClusterState.REFUSED).findFirst().orElseThrow();
    assertThat(refused.secret()).isEqualTo(NS + "/b-west");
    assertThat(refused.message()).contains("istio-system/a-west", "istio-system/b-west");
    assertThat(await(registry.status())).anyMatch(s -> s.secret().equals(NS + "/a-west")
        && s.state() == RemoteClusterState.SYNCED);
  }

  @Test
  void aRemoteApiServerGoingDownAffectsOnlyThatCluster() throws Exception {
    MockKubernetesCluster third = MockKubernetesCluster.start("third", InetAddress.getByName("127.0.3.1"));
    closeables.add(third);
    exportReviews(west.client(), "10.2.0.1");
    exportReviews(third.client(), "10.3.0.1");
    // The local cluster publishes its own exports from its own API server, as the control plane will.
    exportReviews(east.client(), "10.1.0.1");
    ClusterPublisher local = await(catalog.publisher(ClusterInfo.of("east")));
    Context localContext = vertx.getOrCreateContext();
    ExportIndex localIndex = new ExportIndex("east", ExportSettings.flat(), ExportSink.of(local));
    InformerFeed localFeed = InformerFeed.start("east", localContext, east.newClient(), localIndex);
    await(localFeed.synced());
    localContext.runOnContext(v -> {
      localFeed.goLive();
      local.replaceAll(localIndex.exported().values());
    });
    closeables.add(() -> localFeed.stop());
    east.client().secrets().inNamespace(NS).resource(secret("remote-west", "west", west.kubeconfig(),
        RemoteSecrets.LABEL)).create();
    east.client().secrets().inNamespace(NS).resource(secret("remote-third", "third", third.kubeconfig(),
        RemoteSecrets.LABEL)).create();
    startRegistry(fast());
    awaitCatalog("both", s -> !addresses(s, "west").isEmpty() && !addresses(s, "third").isEmpty());

    west.close();

    awaitStatus("west", RemoteClusterState.UNREACHABLE);
    // West stops heartbeating: the mesh marks it stale (and would withdraw it after the grace).
    awaitCatalog("west stale", s -> s.get(REVIEWS).clusters().get("west").stale());
    assertThat(await(catalog.view().clusters()).get("west").health()).isEqualTo(ClusterHealth.STALE);
    // Third and the local cluster keep working.
    setEndpoints(third.client(), "10.3.0.1", "10.3.0.2");
    awaitCatalog("third still live", s -> addresses(s, "third").size() == 2);
    setEndpoints(east.client(), "10.1.0.1", "10.1.0.2");
    awaitCatalog("local cluster still live", s -> addresses(s, "east").size() == 2
        && !s.get(REVIEWS).clusters().get("east").stale());
    assertThat(await(registry.status())).anyMatch(s -> s.clusterId().equals("third")
        && s.state() == RemoteClusterState.SYNCED);
    assertThat(meters.find("meshfed_remote_cluster_unreachable_total").tag("cluster_id", "west").counter().count())
        .isEqualTo(1);
  }

  /** West's cluster, driven directly on {@code context}; {@code changed} sees every state it reports. */
  private RemoteCluster west(Context context, RemoteCredential credential, BlockingQueue<RemoteClusterState> changed) {
    return new RemoteCluster(context, catalog, fast(), new RemoteMetrics(meters), credential,
        cluster -> changed.add(cluster.state()));
  }

  private static RemoteCredential credential(Secret secret) {
    return RemoteSecrets.parse(secret).get(0);
  }

  private static <T> T onContext(Context context, Supplier<T> read) throws Exception {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> result.complete(read.get()));
    return await(result.future());
  }

  private static void withdrawOnContext(Context context, RemoteCluster cluster) throws Exception {
    await(onContext(context, cluster::withdraw));
  }

  /** Waits for {@code wanted}, the states reported before it listed in the failure. */
  private static List<RemoteClusterState> awaitState(BlockingQueue<RemoteClusterState> changed,
      RemoteClusterState wanted) throws InterruptedException {
    List<RemoteClusterState> seen = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!seen.contains(wanted)) {
      RemoteClusterState next = changed.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      assertThat(next).as("never %s; reported %s", wanted, seen).isNotNull();
      seen.add(next);
    }
    return seen;
  }

  /** West started on {@code context} with its epoch claim held once stored, and what was deployed before it. */
  private record HeldClaim(RemoteCluster cluster, FirstWrite claim, Set<String> deployedBefore) {
  }

  private HeldClaim westWithItsClaimHeld(Context context) throws Exception {
    RemoteCluster cluster = west(context, credential(secret("remote-west", "west", west.kubeconfig(),
        RemoteSecrets.LABEL)), new LinkedBlockingQueue<>());
    Set<String> deployed = Set.copyOf(vertx.deploymentIDs());
    FirstWrite claim = FirstWrite.held();
    member.getMap("meshfed.clusters").addInterceptor(claim);
    context.runOnContext(v -> cluster.start());
    assertThat(claim.entered().await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("west synced and claimed").isTrue();
    return new HeldClaim(cluster, claim, deployed);
  }

  @Test
  void withdrawWaitsForAPublisherStillBeingClaimedThenWithdrawsAndClosesIt() throws Exception {
    Context context = vertx.getOrCreateContext();
    HeldClaim held = westWithItsClaimHeld(context);

    Future<Void> withdrawn = onContext(context, held.cluster()::withdraw);

    assertThat(withdrawn.isComplete()).as("the withdrawal waits for the publisher being claimed").isFalse();
    held.claim().release();
    await(withdrawn);
    IMap<String, ClusterRecord> records = member.getMap("meshfed.clusters");
    assertThat(records.get("west").republished())
        .as("west withdrawn (an empty set published) before the withdrawal completed").isTrue();
    // A publisher's close ends by undeploying the worker context the catalog gave it.
    assertThat(vertx.deploymentIDs()).as("west's publisher closed")
        .containsExactlyInAnyOrderElementsOf(held.deployedBefore());
  }

  @Test
  void releaseWaitsForAPublisherStillBeingClaimedThenClosesItWithoutWithdrawing() throws Exception {
    Context context = vertx.getOrCreateContext();
    HeldClaim held = westWithItsClaimHeld(context);

    Future<Void> released = onContext(context, held.cluster()::release);

    assertThat(released.isComplete()).as("the release waits for the publisher being claimed").isFalse();
    held.claim().release();
    await(released);
    IMap<String, ClusterRecord> records = member.getMap("meshfed.clusters");
    assertThat(records.get("west").republished()).as("nothing published for west's new epoch, not even an empty set")
        .isFalse();
    assertThat(vertx.deploymentIDs()).as("west's publisher closed")
        .containsExactlyInAnyOrderElementsOf(held.deployedBefore());
  }

  @Test
  void closingTheRegistryLeavesRemoteServicesToTheNextClaimant() throws Exception {
    exportReviews(west.client(), "10.2.0.1");
    east.client().secrets().inNamespace(NS).resource(secret("remote-west", "west", west.kubeconfig(),
        RemoteSecrets.LABEL)).create();
    startRegistry(fast());
    awaitCatalog("west's reviews", s -> addresses(s, "west").equals(List.of("10.2.0.1")));
    awaitCluster("west live", "west", view -> view.health() == ClusterHealth.LIVE);
    long firstEpoch = clusterRecord("west").epoch();

    // The control plane stops: nothing is withdrawn, west only goes stale once its lease runs out.
    await(registry.close());
    awaitCluster("west stale", "west", view -> view.health() == ClusterHealth.STALE);

    // The control plane restarts: its claim republishes west under a new epoch.
    startRegistry(fast());
    awaitCluster("west live again under a new epoch", "west",
        view -> view.health() == ClusterHealth.LIVE && view.record().epoch() > firstEpoch);
    synchronized (this) {
      assertThat(reviewsHistory).as("west's reviews, through the stop and the restart")
          .allSatisfy(service -> assertThat(service.clusters()).containsKey("west"));
      assertThat(addresses(seen, "west")).containsExactly("10.2.0.1");
    }
  }

  private synchronized ClusterRecord clusterRecord(String clusterId) {
    return clusters.get(clusterId).record();
  }

  @Test
  void aRotationThatSyncsWhileTheFirstClaimIsOutIsWhatThePublisherAnnounces() throws Exception {
    Context context = vertx.getOrCreateContext();
    RemoteCredential first = credential(secret("remote-west", "west", west.kubeconfig(), RemoteSecrets.LABEL));
    Secret moved = secret("remote-west", "west", west.kubeconfig(), RemoteSecrets.LABEL);
    moved.getMetadata().getAnnotations().put(RemoteSecrets.NETWORK_ANNOTATION, "network-2");
    RemoteCredential rotated = credential(moved);
    RemoteCluster cluster = west(context, first, new LinkedBlockingQueue<>());
    FirstWrite claim = FirstWrite.held();
    IMap<String, ClusterRecord> records = member.getMap("meshfed.clusters");
    records.addInterceptor(claim);
    context.runOnContext(v -> cluster.start());
    assertThat(claim.entered().await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("west synced and claimed").isTrue();

    context.runOnContext(v -> cluster.rotate(rotated));
    // The rotated feed synced (the cluster swaps its credential then) while the first claim is still held.
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (onContext(context, cluster::credential) != rotated) {
      assertThat(System.nanoTime()).as("the rotated credentials never synced").isLessThan(deadline);
      Thread.sleep(20);
    }
    claim.release();

    try {
      awaitCluster("west announcing the rotated network", "west",
          view -> view.record().info().network().equals("network-2"));
    } finally {
      withdrawOnContext(context, cluster);
    }
  }

  @Test
  void aFailedClaimIsRetriedByTheHealthCheck() throws Exception {
    exportReviews(west.client(), "10.2.0.1");
    Context context = vertx.getOrCreateContext();
    BlockingQueue<RemoteClusterState> changed = new LinkedBlockingQueue<>();
    RemoteCluster cluster = west(context, credential(secret("remote-west", "west", west.kubeconfig(),
        RemoteSecrets.LABEL)), changed);
    member.getMap("meshfed.clusters").addInterceptor(FirstWrite.failed());

    context.runOnContext(v -> cluster.start());

    try {
      assertThat(awaitState(changed, RemoteClusterState.SYNCED)).as("cannot publish, then claimed again")
          .containsSequence(RemoteClusterState.UNREACHABLE, RemoteClusterState.SYNCED);
      awaitCatalog("west's reviews", s -> addresses(s, "west").equals(List.of("10.2.0.1")));
    } finally {
      withdrawOnContext(context, cluster);
    }
  }

  @Test
  void readinessDoesNotWaitForAnUnreachableClusterBeyondTheTimeout() throws Exception {
    String dead = west.kubeconfig();
    west.close();
    east.client().secrets().inNamespace(NS).resource(secret("remote-west", "west", dead, RemoteSecrets.LABEL))
        .create();
    RemoteSettings settings = new RemoteSettings(Duration.ofSeconds(1), Duration.ofSeconds(2),
        Duration.ofMillis(500), Duration.ofSeconds(1), Map.of());
    long started = System.nanoTime();
    startRegistry(settings);

    await(registry.ready());

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    assertThat(await(registry.status())).singleElement().satisfies(s -> {
      assertThat(s.clusterId()).isEqualTo("west");
      assertThat(s.state()).isIn(RemoteClusterState.SYNC_TIMEOUT, RemoteClusterState.UNREACHABLE);
      assertThat(s.message()).contains(dead.substring(dead.indexOf("http"), dead.indexOf("http") + 10));
    });
  }
}
