package io.meshfed.control.client.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.meshfed.control.client.runtime.Drainable;
import io.meshfed.control.client.runtime.GatewayIdentity;
import io.meshfed.control.client.runtime.GatewayRuntime;
import io.meshfed.control.client.runtime.Readiness;
import io.meshfed.control.client.xds.GatewayRole;
import io.meshfed.control.client.xds.ResourceUpdate;
import io.meshfed.control.client.xds.Verdict;
import io.meshfed.control.client.xds.XdsResource;
import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.Svid;
import io.meshfed.trust.TrustBundle;
import io.meshfed.trust.TrustDomain;
import io.meshfed.trust.ca.CaCertificates;
import io.meshfed.trust.ca.CertificateRequest;
import io.meshfed.trust.ca.IntermediateSigner;
import io.meshfed.trust.ca.IssuedCertificate;
import io.meshfed.trust.ca.KeyAlgorithm;
import io.meshfed.trust.ca.SvidRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The applier between the ADS client and a data plane, against a scripted data plane (in memory). */
class ConfigApplierTest {

  private static final String ROOT_PEM = "-----BEGIN CERTIFICATE-----\nbootstrap\n-----END CERTIFICATE-----\n";

  private final Vertx vertx = Vertx.vertx();
  private final ScriptedDataPlane plane = new ScriptedDataPlane();
  private final Readiness readiness = GatewayRuntime.builder(vertx,
      new GatewayIdentity("gw", "meshfed-system", "east", "ingress")).certificateRequired(false).build().readiness();
  private final GatewaySettings settings = GatewaySettings.builder(GatewayRole.INGRESS).clusterId("east")
      .xdsAddress("127.0.1.1", 15010).listener("0.0.0.0_8080", "127.0.1.1", 0).build();
  private final ConfigApplier applier = new ConfigApplier(vertx.getOrCreateContext(), settings, plane, readiness,
      Optional::empty, Optional.of(ROOT_PEM));

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Answers with the queued outcomes (accepted when none is queued) and keeps every set it was given. */
  private static final class ScriptedDataPlane implements DataPlane {
    final Deque<ApplyOutcome> outcomes = new ArrayDeque<>();
    final List<ResourceSet> applied = new ArrayList<>();

    @Override
    public Future<ApplyOutcome> apply(ResourceSet resources) {
      applied.add(resources);
      return Future.succeededFuture(outcomes.isEmpty() ? ApplyOutcome.accepted() : outcomes.poll());
    }

    @Override
    public Drainable drainable() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }

    ResourceSet last() {
      return applied.get(applied.size() - 1);
    }
  }

  private Verdict offer(XdsResourceType type, String version, Message... resources) throws Exception {
    Map<String, XdsResource> byName = new LinkedHashMap<>();
    for (Message resource : resources) {
      byName.put(type.nameOf(resource), new XdsResource(type.nameOf(resource), version, resource));
    }
    return applier.offer(new ResourceUpdate(type, version, byName, byName.keySet(), Set.of()))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Cluster cluster(String name, String version) {
    return Cluster.newBuilder().setName(name).setAltStatName(version).build();
  }

  @Test
  void refusedResourcesKeepTheirPreviousVersionAndLaterUpdatesBuildOnWhatServes() throws Exception {
    assertThat(offer(XdsResourceType.CLUSTER, "1", cluster("a", "v1"), cluster("b", "v1")).accepted()).isTrue();
    plane.outcomes.add(ApplyOutcome.partlyRejected("cluster b: type: STATIC (expected: EDS)",
        Map.of(XdsResourceType.CLUSTER, Set.of("b", "c"))));

    Verdict verdict = offer(XdsResourceType.CLUSTER, "2", cluster("a", "v2"), cluster("b", "v2"), cluster("c", "v2"));
    assertThat(verdict.accepted()).isFalse();
    assertThat(verdict.error()).isEqualTo("cluster b: type: STATIC (expected: EDS)");

    assertThat(offer(XdsResourceType.LISTENER, "1").accepted()).isTrue();
    Map<String, Message> clusters = plane.last().of(XdsResourceType.CLUSTER);
    assertThat(clusters).containsOnlyKeys("a", "b");
    assertThat(((Cluster) clusters.get("a")).getAltStatName()).isEqualTo("v2");
    assertThat(((Cluster) clusters.get("b")).getAltStatName()).as("previous version kept").isEqualTo("v1");
    assertThat(applier.accepted().rejected()).singleElement()
        .satisfies(rejected -> assertThat(rejected.details()).contains("cluster b"));
  }

  @Test
  void aWholeRefusalLeavesTheServingSetAsItWas() throws Exception {
    offer(XdsResourceType.CLUSTER, "1", cluster("a", "v1"));
    plane.outcomes.add(ApplyOutcome.rejected("cluster a: bad"));
    assertThat(offer(XdsResourceType.CLUSTER, "2", cluster("a", "v2")).accepted()).isFalse();
    offer(XdsResourceType.LISTENER, "1");
    assertThat(((Cluster) plane.last().of(XdsResourceType.CLUSTER).get("a")).getAltStatName()).isEqualTo("v1");
    assertThat(applier.accepted().ofType(XdsResourceType.CLUSTER.typeUrl())).singleElement()
        .satisfies(shown -> assertThat(shown.versionInfo()).isEqualTo("1"));
  }

  @Test
  void bootstrapRootServesUntilTheControlPlaneSendsRootca() throws Exception {
    offer(XdsResourceType.SECRET, "1");
    Secret bootstrap = (Secret) plane.last().of(XdsResourceType.SECRET).get("ROOTCA");
    assertThat(bootstrap.getValidationContext().getTrustedCa().getInlineString()).isEqualTo(ROOT_PEM);
    assertThat(applier.accepted().resources()).as("the bootstrap root is shown, marked as such").singleElement()
        .satisfies(shown -> assertThat(shown.name() + "@" + shown.versionInfo()).isEqualTo("ROOTCA@bootstrap"));

    Secret pushed = Secret.newBuilder().setName("ROOTCA").setValidationContext(bootstrap.getValidationContext()
        .toBuilder().setTrustedCa(bootstrap.getValidationContext().getTrustedCa().toBuilder()
            .setInlineString("rotated"))).build();
    offer(XdsResourceType.SECRET, "2", pushed);
    assertThat(plane.last().of(XdsResourceType.SECRET).get("ROOTCA")).isEqualTo(pushed);
    assertThat(applier.accepted().ofType(XdsResourceType.SECRET.typeUrl())).singleElement()
        .satisfies(shown -> assertThat(shown.resource()).isEqualTo(pushed));
  }

  @Test
  void theGatewaysOwnCertificateIsShownAsDefaultWithoutItsKeyAndFollowsRotation() throws Exception {
    Svid[] current = {svid()};
    ConfigApplier withSvid = new ConfigApplier(vertx.getOrCreateContext(), settings, plane, readiness,
        () -> Optional.of(current[0]), Optional.of(ROOT_PEM));
    // Shown before any xDS response: the certificate is what a fresh gateway is most often asked about.
    assertThat(shownDefault(withSvid).versionInfo()).isEqualTo(current[0].serial());

    withSvid.offer(new ResourceUpdate(XdsResourceType.SECRET, "1", Map.of(), Set.of(), Set.of()))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Secret served = (Secret) plane.last().of(XdsResourceType.SECRET).get("default");
    assertThat(served.getTlsCertificate().getPrivateKey().getInlineString()).as("the data plane gets the key")
        .isEqualTo(current[0].privateKeyPem());
    Secret shown = (Secret) shownDefault(withSvid).resource();
    assertThat(shown.getTlsCertificate().getCertificateChain().getInlineString()).isEqualTo(current[0].chainPem());
    assertThat(shown.getTlsCertificate().hasPrivateKey()).as("the key is never published").isFalse();
    assertThat(shown.toString()).doesNotContain(current[0].privateKeyPem().lines().skip(1).findFirst().orElseThrow());

    current[0] = svid();
    withSvid.reapply().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(shownDefault(withSvid).versionInfo()).as("the rotated certificate is shown")
        .isEqualTo(current[0].serial());
  }

  @Test
  void theDefaultShownIsTheOneServedAndAnExpiredCertificateShowsNone() throws Exception {
    Svid own = svid();
    boolean[] expired = {false};
    ConfigApplier withSvid = new ConfigApplier(vertx.getOrCreateContext(), settings, plane, readiness, () -> {
      if (expired[0]) {
        throw new IllegalStateException("SVID expired and could not be renewed");
      }
      return Optional.of(own);
    }, Optional.of(ROOT_PEM));
    Secret fromControlPlane = Secret.newBuilder().setName("default").setTlsCertificate(
        io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate.newBuilder().setCertificateChain(
            io.envoyproxy.envoy.config.core.v3.DataSource.newBuilder().setInlineString("not served"))).build();
    withSvid.offer(new ResourceUpdate(XdsResourceType.SECRET, "1",
        Map.of("default", new XdsResource("default", "1", fromControlPlane)), Set.of("default"), Set.of()))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(withSvid.accepted().ofType(XdsResourceType.SECRET.typeUrl()))
        .filteredOn(shown -> shown.name().equals("default")).singleElement()
        .satisfies(shown -> assertThat(shown.versionInfo()).isEqualTo(own.serial()));

    expired[0] = true;
    Verdict verdict = withSvid.offer(new ResourceUpdate(XdsResourceType.CLUSTER, "2",
        Map.of("c", new XdsResource("c", "2", cluster("c", "2"))), Set.of("c"), Set.of()))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(verdict.accepted()).isFalse();
    assertThat(verdict.error()).startsWith("secret default: ");
  }

  private static io.meshfed.control.client.runtime.XdsResource shownDefault(ConfigApplier applier) {
    return applier.accepted().ofType(XdsResourceType.SECRET.typeUrl()).stream()
        .filter(shown -> shown.name().equals("default")).findFirst().orElseThrow();
  }

  private static Svid svid() {
    KeyPair rootKey = KeyAlgorithm.EC_P256.generate();
    TrustDomain domain = TrustDomain.of("cluster.local");
    X509Certificate root = CaCertificates.selfSignedRoot(rootKey, domain, "root", Duration.ofDays(1));
    TrustBundle bundle = TrustBundle.builder(domain).addRoot(root).build();
    SpiffeId identity = SpiffeId.of("cluster.local", "meshfed-system", "meshfed-ingressgateway");
    SvidRequest request = SvidRequest.create(identity, KeyAlgorithm.EC_P256);
    IssuedCertificate issued = IntermediateSigner.create(rootKey.getPrivate(), List.of(root), bundle)
        .sign(CertificateRequest.parse(request.csrPem()), identity, Duration.ofHours(1));
    return request.complete(issued);
  }

  @Test
  void listenersBindWhereTheSettingsSayAndReadinessWaitsForClustersAndListeners() throws Exception {
    Listener listener = Listener.newBuilder().setName("0.0.0.0_8080").setAddress(Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress("0.0.0.0").setPortValue(8080))).build();
    offer(XdsResourceType.LISTENER, "1", listener);
    SocketAddress bound = ((Listener) plane.last().of(XdsResourceType.LISTENER).get("0.0.0.0_8080")).getAddress()
        .getSocketAddress();
    assertThat(bound.getAddress()).isEqualTo("127.0.1.1");
    assertThat(bound.getPortValue()).isZero();
    assertThat(readiness.check().ready()).as("no CDS yet").isFalse();

    offer(XdsResourceType.CLUSTER, "1", cluster("a", "v1"));
    assertThat(readiness.check().ready()).isTrue();
    // What /config_dump shows is what the control plane sent, not the local rewrite.
    assertThat(applier.accepted().ofType(XdsResourceType.LISTENER.typeUrl())).singleElement()
        .satisfies(shown -> assertThat(shown.resource()).isEqualTo(listener));
  }
}
