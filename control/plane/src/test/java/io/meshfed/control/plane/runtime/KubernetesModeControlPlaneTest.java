package io.meshfed.control.plane.runtime;

import static io.meshfed.control.plane.runtime.ControlPlaneFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.control.client.ca.CaClientException;
import io.meshfed.control.client.ca.CaCredential;
import io.meshfed.control.plane.istio.IstioSamples;
import io.meshfed.it.kube.MockKubernetesCluster;
import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.Svid;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control plane against a Kubernetes API (fabric8's mock server) loaded with Istio's bookinfo: it becomes ready,
 * publishes the root in ConfigMap {@code meshfed-ca-root-cert}, signs for service-account tokens reviewed with
 * audience {@code meshfed-ca}, and, when the API server goes away, keeps serving and says why in {@code /ready}.
 */
class KubernetesModeControlPlaneTest {

  static final String HOST = "127.0.1.2";
  static final SpiffeId INGRESS = SpiffeId.of("cluster.local", "meshfed-system", "meshfed-ingressgateway");

  @TempDir
  Path dir;
  final Vertx vertx = Vertx.vertx();
  MockKubernetesCluster cluster;
  ControlPlane plane;

  @AfterEach
  void stop() {
    if (plane != null) {
      await(plane.close());
    }
    if (cluster != null) {
      cluster.close();
    }
    await(vertx.close());
  }

  private String startOnBookinfo() throws Exception {
    cluster = MockKubernetesCluster.start("east", InetAddress.getByName(HOST));
    KubernetesClient client = cluster.client();
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("meshfed-system").endMetadata()
        .build()).create();
    try (InputStream bookinfo = Files.newInputStream(IstioSamples.file("bookinfo/bookinfo.yaml"))) {
      for (HasMetadata object : client.load(bookinfo).items()) {
        object.getMetadata().setNamespace("default");
        client.resource(object).create();
      }
    }
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, cluster.kubeconfig());
    Path settings = ControlPlaneFixture.settings(dir, "east", "test-" + UUID.randomUUID(), HOST,
        "source: kubernetes\nkubeconfig: " + kubeconfig, null);
    plane = ControlPlaneFixture.start(vertx, settings, Map.of(), dir.resolve("no-cert-manager"));
    String admin = ControlPlaneFixture.adminUrl(plane);
    ControlPlaneFixture.awaitGet(admin + "/ready", r -> r.statusCode() == 200);
    return admin;
  }

  @Test
  void becomesReadyPublishesTheRootConfigMapAndSignsForReviewedTokens() throws Exception {
    startOnBookinfo();
    ConfigMap root = cluster.client().configMaps().inNamespace("meshfed-system").withName("meshfed-ca-root-cert").get();
    assertThat(root).isNotNull();
    assertThat(root.getData().get("root-cert.pem")).isEqualTo(Files.readString(plane.rootCertificateFile()));

    String token = cluster.serviceAccountToken("meshfed-system", "meshfed-ingressgateway", "meshfed-ca");
    Svid svid = await(ControlPlaneFixture.caClient(vertx, plane).issue(INGRESS, CaCredential.token(token), null));
    assertThat(svid.spiffeId()).isEqualTo(INGRESS);

    String apiServerToken = cluster.serviceAccountToken("meshfed-system", "meshfed-ingressgateway",
        "https://kubernetes.default.svc");
    assertThatThrownBy(() -> await(ControlPlaneFixture.caClient(vertx, plane).issue(INGRESS,
        CaCredential.token(apiServerToken), null)))
        .cause().isInstanceOfSatisfying(CaClientException.class, e -> {
          assertThat(e.status()).isEqualTo(GrpcStatus.UNAUTHENTICATED);
          assertThat(e.getMessage()).contains("audience meshfed-ca");
        });
    assertThat(plane.config().services()).extracting(s -> s.getMetadata().getName())
        .contains("productpage", "reviews", "ratings", "details");
  }

  @Test
  void losingTheKubernetesApiKeepsTheLastSnapshotServingAndReadinessSaysWhy() throws Exception {
    String admin = startOnBookinfo();
    long version = plane.config().version();
    assertThat(ControlPlaneFixture.get(admin + "/ready").body()).doesNotContain("degraded");

    cluster.close();
    cluster = null;
    HttpResponse<String> ready = ControlPlaneFixture.awaitGet(admin + "/ready",
        r -> r.body().contains("degraded: kubernetes"));
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).startsWith("ready (degraded)").contains("no watch on the Kubernetes API")
        .contains("config snapshot " + version);
    assertThat(plane.config().services()).extracting(s -> s.getMetadata().getName()).contains("productpage");
  }
}
