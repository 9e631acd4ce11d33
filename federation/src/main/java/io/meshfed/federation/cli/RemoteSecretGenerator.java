package io.meshfed.federation.cli;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.meshfed.federation.catalog.ClusterIds;
import io.meshfed.federation.remote.RemoteSecrets;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Builds the Secret that registers a cluster with other control planes, as {@code istioctl create-remote-secret}
 * does: a reader service account in the system namespace, its token (on Kubernetes 1.24+ a
 * {@code kubernetes.io/service-account-token} Secret, since token Secrets are no longer created automatically), and a
 * kubeconfig carrying the server, its CA and that token.
 */
final class RemoteSecretGenerator {

  static final String TOKEN_SECRET_SUFFIX = "-token";

  private final KubernetesClient client;
  private final String server;
  private final Options options;

  record Options(String clusterId, String namespace, String serviceAccount, String network, String gateways,
      String locality, String federationEndpoint, Duration tokenTimeout) {
    Options {
      ClusterIds.require("--name", clusterId);
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(serviceAccount, "serviceAccount");
      Objects.requireNonNull(tokenTimeout, "tokenTimeout");
    }
  }

  RemoteSecretGenerator(KubernetesClient client, String server, Options options) {
    this.client = client;
    this.server = server;
    this.options = options;
  }

  /** The Secret, as YAML ready for {@code kubectl apply -f -} in the other clusters. */
  String yaml() throws InterruptedException {
    return Serialization.asYaml(secret());
  }

  Secret secret() throws InterruptedException {
    ensureServiceAccount();
    Secret token = tokenSecret();
    Map<String, String> data = token.getData();
    String caData = data.get("ca.crt");
    String bearer = new String(Base64.getDecoder().decode(data.get("token")), StandardCharsets.UTF_8);
    String kubeconfig = kubeconfig(caData, bearer);
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(RemoteSecrets.ISTIO_CLUSTER_ANNOTATION, options.clusterId());
    annotations.put(RemoteSecrets.CLUSTER_ANNOTATION, options.clusterId());
    putIfSet(annotations, RemoteSecrets.NETWORK_ANNOTATION, options.network());
    putIfSet(annotations, RemoteSecrets.GATEWAYS_ANNOTATION, options.gateways());
    putIfSet(annotations, RemoteSecrets.LOCALITY_ANNOTATION, options.locality());
    putIfSet(annotations, RemoteSecrets.FEDERATION_ENDPOINT_ANNOTATION, options.federationEndpoint());
    return new SecretBuilder().withNewMetadata()
        .withName("istio-remote-secret-" + options.clusterId().toLowerCase().replace('_', '-').replace('.', '-'))
        .withNamespace(options.namespace())
        .addToLabels(RemoteSecrets.ISTIO_LABEL, "true")
        .addToLabels(RemoteSecrets.LABEL, "true")
        .withAnnotations(annotations)
        .endMetadata()
        .addToStringData(options.clusterId(), kubeconfig)
        .build();
  }

  private void ensureServiceAccount() {
    if (client.serviceAccounts().inNamespace(options.namespace()).withName(options.serviceAccount()).get() == null) {
      client.serviceAccounts().inNamespace(options.namespace()).resource(new ServiceAccountBuilder().withNewMetadata()
          .withName(options.serviceAccount()).withNamespace(options.namespace()).endMetadata().build()).create();
    }
  }

  /**
   * Kubernetes 1.24 stopped creating token Secrets for service accounts ("LegacyServiceAccountTokenNoAutoGeneration");
   * a Secret of type {@code kubernetes.io/service-account-token} annotated with the account name is filled by the
   * token controller. It is created on every version: older clusters fill it the same way.
   */
  private Secret tokenSecret() throws InterruptedException {
    String name = options.serviceAccount() + TOKEN_SECRET_SUFFIX;
    var resource = client.secrets().inNamespace(options.namespace()).withName(name);
    if (resource.get() == null) {
      client.secrets().inNamespace(options.namespace()).resource(new SecretBuilder().withNewMetadata().withName(name)
          .withNamespace(options.namespace())
          .addToAnnotations("kubernetes.io/service-account.name", options.serviceAccount()).endMetadata()
          .withType("kubernetes.io/service-account-token").build()).create();
    }
    long deadline = System.nanoTime() + options.tokenTimeout().toNanos();
    while (true) {
      Secret secret = resource.get();
      if (secret != null && secret.getData() != null && secret.getData().get("token") != null
          && secret.getData().get("ca.crt") != null) {
        return secret;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("secret " + options.namespace() + "/" + name + ": data.token and data.ca.crt"
            + " not filled within " + options.tokenTimeout().toSeconds() + " s (expected: the cluster's token"
            + " controller fills them; check that kube-controller-manager runs with a service-account key)");
      }
      Thread.sleep(200);
    }
  }

  private String kubeconfig(String caData, String token) {
    String name = options.clusterId();
    return Serialization.asYaml(new io.fabric8.kubernetes.api.model.ConfigBuilder()
        .withApiVersion("v1").withKind("Config")
        .addNewCluster().withName(name).withNewCluster().withServer(server).withCertificateAuthorityData(caData)
        .endCluster().endCluster()
        .addNewUser().withName(name).withNewUser().withToken(token).endUser().endUser()
        .addNewContext().withName(name).withNewContext().withCluster(name).withUser(name).endContext().endContext()
        .withCurrentContext(name)
        .build());
  }

  private static void putIfSet(Map<String, String> map, String key, String value) {
    if (value != null && !value.isBlank()) {
      map.put(key, value);
    }
  }
}
