package io.meshfed.it.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;

/**
 * One simulated cluster's Kubernetes API: fabric8's mock API server in CRUD mode (objects persist, lists and watches
 * work) on a loopback address, and a client for it built with the JDK HTTP client.
 *
 * <p>Tests run one per simulated cluster. {@link #kubeconfig} renders the credentials a remote-cluster Secret
 * carries, so tests can register this cluster with a control plane exactly as users do.
 */
public final class MockKubernetesCluster implements AutoCloseable {

  private final String name;
  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final TokenReviews tokenReviews;

  private MockKubernetesCluster(String name, KubernetesMockServer server, TokenReviews tokenReviews) {
    this.name = name;
    this.server = server;
    this.tokenReviews = tokenReviews;
    this.client = server.createClient(builder -> builder.withHttpClientFactory(new JdkHttpClientFactory()));
  }

  /** Starts an empty API server on an ephemeral port of {@code address}. */
  public static MockKubernetesCluster start(String name, InetAddress address) {
    TokenReviews tokenReviews = new TokenReviews(new KubernetesCrudDispatcher());
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        tokenReviews, false);
    server.init(address, 0);
    return new MockKubernetesCluster(name, server, tokenReviews);
  }

  /** Starts an empty API server on an ephemeral loopback port. */
  public static MockKubernetesCluster start(String name) {
    return start(name, InetAddress.getLoopbackAddress());
  }

  public String name() {
    return name;
  }

  /** The API server's base URL, e.g. {@code http://localhost:40123/}. */
  public String url() {
    return server.url("/");
  }

  /** A client of this API server (JDK HTTP client); closed with the cluster. */
  public KubernetesClient client() {
    return client;
  }

  /** A fresh client of this API server, for code under test that owns and closes its clients. */
  public KubernetesClient newClient() {
    return new KubernetesClientBuilder().withConfig(clientConfig())
        .withHttpClientFactory(new JdkHttpClientFactory()).build();
  }

  /** The client configuration pointing at this server. */
  public Config clientConfig() {
    return client.getConfiguration();
  }

  /** A kubeconfig document (YAML) whose one context, named after this cluster, points at this server. */
  public String kubeconfig() {
    return Serialization.asYaml(new io.fabric8.kubernetes.api.model.ConfigBuilder()
        .withApiVersion("v1")
        .withKind("Config")
        .addNewCluster().withName(name).withNewCluster().withServer(url()).endCluster().endCluster()
        .addNewUser().withName(name).withNewUser().withToken("token-" + name).endUser().endUser()
        .addNewContext().withName(name).withNewContext()
            .withCluster(name).withUser(name).withNamespace("default").endContext().endContext()
        .withCurrentContext(name)
        .build());
  }

  /**
   * A service-account token for {@code namespace/serviceAccount} with {@code audiences}, which this API server's
   * TokenReviews authenticate (as a projected token would be); unknown tokens are not authenticated.
   */
  public String serviceAccountToken(String namespace, String serviceAccount, String... audiences) {
    String token = "sa-" + namespace + "-" + serviceAccount + "-" + java.util.UUID.randomUUID();
    tokenReviews.issue(token, namespace, serviceAccount, java.util.List.of(audiences));
    return token;
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
