package io.meshfed.federation.remote;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.meshfed.federation.catalog.ClusterIds;
import io.meshfed.federation.catalog.ClusterInfo;
import io.meshfed.federation.catalog.GatewayAddress;
import io.meshfed.federation.catalog.Locality;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The remote-cluster Secret contract, Istio's ("istioctl create-remote-secret") plus meshfed's own names: a Secret
 * labelled {@code meshfed.io/multi-cluster: "true"} or {@code istio/multiCluster: "true"} in the system namespace,
 * one data key per cluster id whose value is a kubeconfig, optionally annotated with the cluster id
 * ({@code meshfed.io/cluster} or {@code networking.istio.io/cluster}).
 *
 * <p>meshfed's annotations describe the remote cluster to the mesh: {@code meshfed.io/network},
 * {@code meshfed.io/gateways} (comma-separated host[:port], IPs or DNS names), {@code meshfed.io/locality}
 * (region[.zone[.subzone]]) and {@code meshfed.io/federation-endpoint} (host:port of its control plane's
 * federation relay, when it runs one).
 */
public final class RemoteSecrets {

  public static final String LABEL = "meshfed.io/multi-cluster";
  public static final String ISTIO_LABEL = "istio/multiCluster";
  public static final String CLUSTER_ANNOTATION = "meshfed.io/cluster";
  public static final String ISTIO_CLUSTER_ANNOTATION = "networking.istio.io/cluster";
  public static final String NETWORK_ANNOTATION = "meshfed.io/network";
  public static final String GATEWAYS_ANNOTATION = "meshfed.io/gateways";
  public static final String LOCALITY_ANNOTATION = "meshfed.io/locality";
  public static final String FEDERATION_ENDPOINT_ANNOTATION = "meshfed.io/federation-endpoint";

  private RemoteSecrets() {
  }

  /** True when {@code secret} carries either label with the value "true". */
  public static boolean isRemoteSecret(Secret secret) {
    Map<String, String> labels = secret.getMetadata().getLabels();
    return labels != null && ("true".equals(labels.get(LABEL)) || "true".equals(labels.get(ISTIO_LABEL)));
  }

  /**
   * Reads every cluster a Secret registers. Call it off event loops: a kubeconfig may name certificate files.
   *
   * @throws RemoteSecretException naming the field at fault; nothing of a faulty Secret is used
   */
  public static List<RemoteCredential> parse(Secret secret) {
    String name = secret.getMetadata().getNamespace() + "/" + secret.getMetadata().getName();
    Map<String, String> kubeconfigs = new LinkedHashMap<>();
    if (secret.getData() != null) {
      for (Map.Entry<String, String> entry : secret.getData().entrySet()) {
        kubeconfigs.put(entry.getKey(), decode(name, entry.getKey(), entry.getValue()));
      }
    }
    if (secret.getStringData() != null) {
      kubeconfigs.putAll(secret.getStringData());
    }
    if (kubeconfigs.isEmpty()) {
      throw new RemoteSecretException(name, "data", "empty (expected: one key per cluster id, the value a kubeconfig)");
    }
    Map<String, String> annotations = secret.getMetadata().getAnnotations() == null ? Map.of()
        : secret.getMetadata().getAnnotations();
    String annotated = annotations.getOrDefault(CLUSTER_ANNOTATION, annotations.get(ISTIO_CLUSTER_ANNOTATION));
    if (annotated != null && !kubeconfigs.containsKey(annotated)) {
      throw new RemoteSecretException(name, "metadata.annotations[" + CLUSTER_ANNOTATION + "]",
          annotated + " (expected: one of the data keys " + kubeconfigs.keySet() + ")");
    }
    String network = annotations.getOrDefault(NETWORK_ANNOTATION, "");
    Locality locality = Locality.parse(annotations.get(LOCALITY_ANNOTATION));
    List<GatewayAddress> gateways = gateways(name, annotations.get(GATEWAYS_ANNOTATION));
    Optional<String> federation = Optional.ofNullable(annotations.get(FEDERATION_ENDPOINT_ANNOTATION))
        .filter(value -> !value.isBlank());
    federation.ifPresent(value -> {
      try {
        GatewayAddress.parse(value);
      } catch (IllegalArgumentException e) {
        throw new RemoteSecretException(name, "metadata.annotations[" + FEDERATION_ENDPOINT_ANNOTATION + "]",
            value + " (expected: host:port of the remote control plane's federation relay)");
      }
    });
    List<RemoteCredential> credentials = new ArrayList<>();
    for (Map.Entry<String, String> entry : kubeconfigs.entrySet()) {
      String clusterId = entry.getKey();
      if (!ClusterIds.isValid(clusterId)) {
        throw new RemoteSecretException(name, "data[" + clusterId + "]",
            "not a cluster id (expected: letters, digits, '-', '_' or '.')");
      }
      String server = requireKubeconfig(name, clusterId, entry.getValue());
      ClusterInfo info = new ClusterInfo(clusterId, network, locality, gateways, "");
      credentials.add(new RemoteCredential(name, info, entry.getValue(), server,
          sha256(entry.getValue() + "\n" + info), federation));
    }
    return credentials;
  }

  private static String decode(String secret, String key, String base64) {
    try {
      return new String(Base64.getDecoder().decode(base64 == null ? "" : base64.trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new RemoteSecretException(secret, "data[" + key + "]", "not base64 (expected: a base64-encoded kubeconfig)");
    }
  }

  /** Returns the API server URL of the kubeconfig's current context. */
  private static String requireKubeconfig(String secret, String clusterId, String kubeconfig) {
    String field = "data[" + clusterId + "]";
    Config config;
    try {
      config = Config.fromKubeconfig(null, kubeconfig, null);
    } catch (RuntimeException e) {
      // The parser's message may quote the document: never pass it on, it can hold a token.
      throw new RemoteSecretException(secret, field,
          "not a kubeconfig (expected: YAML with clusters, users, contexts and a current-context, as "
              + "`meshfed create-remote-secret` prints)");
    }
    if (config.getMasterUrl() == null || config.getMasterUrl().isBlank()
        || kubeconfig.indexOf("current-context") < 0) {
      throw new RemoteSecretException(secret, field,
          "kubeconfig has no current context with a server (expected: current-context naming a context whose "
              + "cluster has a server URL)");
    }
    return config.getMasterUrl();
  }

  private static List<GatewayAddress> gateways(String secret, String value) {
    List<GatewayAddress> gateways = new ArrayList<>();
    if (value == null || value.isBlank()) {
      return gateways;
    }
    for (String part : value.split(",")) {
      try {
        gateways.add(GatewayAddress.parse(part.trim()));
      } catch (IllegalArgumentException e) {
        throw new RemoteSecretException(secret, "metadata.annotations[" + GATEWAYS_ANNOTATION + "]",
            e.getMessage());
      }
    }
    return gateways;
  }

  private static String sha256(String value) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
