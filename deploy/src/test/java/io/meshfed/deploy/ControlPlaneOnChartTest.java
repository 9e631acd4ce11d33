package io.meshfed.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.control.client.ca.CaClient;
import io.meshfed.control.client.ca.CaCredential;
import io.meshfed.control.client.xds.AdsClient;
import io.meshfed.control.client.xds.GatewayRole;
import io.meshfed.control.client.xds.NodeIdentity;
import io.meshfed.control.client.xds.Verdict;
import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.control.plane.runtime.ControlPlane;
import io.meshfed.control.plane.runtime.ControlPlaneSettings;
import io.meshfed.control.plane.runtime.Translation;
import io.meshfed.control.plane.xds.Snapshot;
import io.meshfed.it.kube.MockKubernetesCluster;
import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.Svid;
import io.meshfed.trust.TrustBundle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's contract with the control plane (issue 9): fabric8's mock API server loaded with the chart's rendered
 * objects and Istio's bookinfo; the control plane started from the rendered {@code control-plane.yaml} (only the
 * addresses, data directory and kubeconfig overridden for a test process) becomes ready, publishes
 * {@code meshfed-ca-root-cert}, patches {@code caBundle} and {@code failurePolicy: Fail} of
 * {@code meshfed-validator-meshfed-system}, signs a gateway's CSR for its projected token (audience
 * {@code meshfed-ca}, the chart's) and serves xDS to that gateway over :15012.
 */
class ControlPlaneOnChartTest {

  static final String HOST = "127.0.1.5";
  static final String NS = ChartRender.NAMESPACE;

  @TempDir
  Path dir;

  @Test
  void theControlPlaneRunsOnTheChartsObjectsAndServesAGateway() throws Exception {
    Manifests manifests = ChartRender.chart().set("mesh.clusterId", "east").set("mesh.network", "network-east")
        .render();
    Vertx vertx = Vertx.vertx();
    try (MockKubernetesCluster cluster = MockKubernetesCluster.start("east", InetAddress.getByName(HOST))) {
      KubernetesClient client = cluster.client();
      load(client, manifests);
      Path samples = IstioSamples.directory().orElse(null);
      Assumptions.assumeTrue(samples != null, "Istio samples (../shared/istio-samples) not found");
      try (InputStream bookinfo = Files.newInputStream(samples.resolve("bookinfo/bookinfo.yaml"))) {
        for (HasMetadata object : client.load(bookinfo).items()) {
          object.getMetadata().setNamespace("default");
          client.resource(object).create();
        }
      }
      Path settingsFile = dir.resolve("control-plane.yaml");
      Files.writeString(settingsFile, manifests.configMapData("meshfed-control-plane", "control-plane.yaml"));
      Path kubeconfig = dir.resolve("kubeconfig");
      Files.writeString(kubeconfig, cluster.kubeconfig());
      Map<String, String> overrides = new LinkedHashMap<>();
      overrides.put("meshId", "test-" + UUID.randomUUID());
      overrides.put("dataDir", dir.resolve("data").toString());
      overrides.put("config.kubeconfig", kubeconfig.toString());
      overrides.put("xds.plaintextAddress", HOST + ":0");
      overrides.put("xds.tlsAddress", HOST + ":0");
      overrides.put("admin.address", HOST + ":0");
      overrides.put("webhook.address", HOST + ":0");
      overrides.put("federation.relayPort", Integer.toString(freePort()));
      overrides.put("federation.hazelcastPort", Integer.toString(freePort()));
      overrides.put("federation.remoteSecretTimeout", "2s");
      ControlPlaneSettings settings = ControlPlaneSettings.load(settingsFile, overrides);
      assertThat(settings.systemNamespace()).isEqualTo(NS);

      ControlPlane plane = await(ControlPlane.start(vertx, settings, ControlPlane.Options.of("test", oneCluster())
          .withWebhookCertificates(dir.resolve("no-cert-manager"))));
      try {
        String admin = "http://" + HOST + ":" + plane.adminPort();
        eventually("ready", () -> get(admin + "/ready").statusCode() == 200);

        ConfigMap root = client.configMaps().inNamespace(NS).withName("meshfed-ca-root-cert").get();
        assertThat(root.getData()).containsKey("root-cert.pem");

        ValidatingWebhookConfiguration webhook = client.admissionRegistration().v1()
            .validatingWebhookConfigurations().withName("meshfed-validator-" + NS).get();
        assertThat(webhook.getWebhooks()).allSatisfy(w -> {
          assertThat(w.getFailurePolicy()).isEqualTo("Fail");
          assertThat(new String(Base64.getDecoder().decode(w.getClientConfig().getCaBundle()),
              StandardCharsets.US_ASCII)).startsWith("-----BEGIN CERTIFICATE-----");
        });

        // The gateway's first certificate, for its projected token (the chart's audience), then ADS with it.
        String audience = manifests.get(io.fabric8.kubernetes.api.model.apps.Deployment.class,
            "meshfed-ingressgateway").getSpec().getTemplate().getSpec().getVolumes().stream()
            .filter(v -> v.getProjected() != null).flatMap(v -> v.getProjected().getSources().stream())
            .filter(s -> s.getServiceAccountToken() != null)
            .map(s -> s.getServiceAccountToken().getAudience()).findFirst().orElseThrow();
        assertThat(audience).isEqualTo("meshfed-ca");
        SpiffeId ingress = SpiffeId.of("cluster.local", NS, "meshfed-ingressgateway");
        String token = cluster.serviceAccountToken(NS, "meshfed-ingressgateway", audience);
        Svid svid = await(CaClient.builder(vertx)
            .server(SocketAddress.inetSocketAddress(plane.xdsTlsPort(), HOST))
            .trust(TrustBundle.builder("cluster.local").addRootsPem(root.getData().get("root-cert.pem"), "ConfigMap")
                .build())
            .build().issue(ingress, CaCredential.token(token), null));
        Set<String> clusters = java.util.concurrent.ConcurrentHashMap.newKeySet();
        AdsClient ads = AdsClient.builder(vertx)
            .server(SocketAddress.inetSocketAddress(plane.xdsTlsPort(), HOST))
            .ssl(new ClientSSLOptions().setHostnameVerificationAlgorithm("")
                .setKeyCertOptions(new PemKeyCertOptions().setKeyValue(Buffer.buffer(svid.privateKeyPem()))
                    .setCertValue(Buffer.buffer(svid.chainPem())))
                .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(svid.bundle().rootsPem()))))
            .node(NodeIdentity.builder().ip("10.0.0.7").podName("meshfed-ingressgateway-abc").namespace(NS)
                .clusterId("east").network("network-east").role(GatewayRole.INGRESS).build())
            .subscribe(XdsResourceType.CLUSTER, Set.of(), update -> {
              clusters.addAll(update.resources().keySet());
              return Verdict.accept();
            })
            .build();
        await(ads.start());
        try {
          eventually("the gateway received its clusters", () -> clusters.contains("config-services-4"));
        } finally {
          await(ads.close());
        }
      } finally {
        await(plane.close());
      }
    } finally {
      await(vertx.close());
    }
  }

  /** Stand-in for the translator: one cluster named after how many Services the config snapshot holds. */
  private static Translation oneCluster() {
    return (state, groups) -> {
      Snapshot snapshot = Snapshot.builder().add(XdsResourceType.CLUSTER, Cluster.newBuilder()
          .setName("config-services-" + state.config().services().stream()
              .filter(s -> s.getMetadata().getNamespace().equals("default")).count()).build()).build();
      Map<String, Snapshot> out = new HashMap<>();
      groups.forEach(group -> out.put(group, snapshot));
      return out;
    };
  }

  /** The rendered objects, as `helm install` would create them (namespace first). */
  private static void load(KubernetesClient client, Manifests manifests) {
    client.resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
    for (HasMetadata object : manifests.all()) {
      if (object instanceof Namespace) {
        continue;
      }
      if (object.getMetadata().getNamespace() == null && !clusterScoped(object)) {
        object.getMetadata().setNamespace(NS);
      }
      client.resource(object).create();
    }
  }

  private static boolean clusterScoped(HasMetadata object) {
    return Set.of("ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "ValidatingWebhookConfiguration")
        .contains(object.getKind());
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static HttpResponse<String> get(String url) {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
          .build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(url + ": " + e, e);
    }
  }

  private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within 30 s");
      }
      Thread.sleep(20);
    }
  }
}
