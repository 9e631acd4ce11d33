package io.meshfed.control.plane.analyze;

import io.fabric8.kubernetes.api.model.Secret;
import io.meshfed.control.plane.istio.ListValue;
import io.meshfed.control.plane.istio.ObjectValue;
import io.meshfed.control.plane.istio.ResourceKey;
import io.meshfed.control.plane.istio.Value;
import io.meshfed.control.plane.istio.YamlDocuments;
import io.meshfed.control.plane.istio.YamlSyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads remote-cluster Secrets (Istio's remote-secret contract, which meshfed follows): labelled
 * {@code meshfed.io/multi-cluster: "true"} or {@code istio/multiCluster: "true"}; each data key is a cluster id
 * whose value is a kubeconfig; {@code meshfed.io/cluster} (or Istio's {@code networking.istio.io/cluster}) names
 * the id when there is no data yet. Only the API server URL is taken from the kubeconfig; credentials are never
 * read or printed.
 */
final class RemoteSecrets {

  /** One cluster a Secret registers. @param server the kubeconfig's API server URL, when readable */
  record Registration(String clusterId, ResourceKey secret, Optional<String> server) {
  }

  private RemoteSecrets() {
  }

  static boolean isRemoteSecret(Secret secret) {
    Map<String, String> labels = secret.getMetadata().getLabels();
    return labels != null && ("true".equals(labels.get("meshfed.io/multi-cluster"))
        || "true".equals(labels.get("istio/multiCluster")));
  }

  static List<Registration> registrations(Secret secret) {
    ResourceKey key = new ResourceKey("Secret", secret.getMetadata().getNamespace(), secret.getMetadata().getName());
    Set<String> ids = new LinkedHashSet<>();
    if (secret.getData() != null) {
      ids.addAll(secret.getData().keySet());
    }
    if (secret.getStringData() != null) {
      ids.addAll(secret.getStringData().keySet());
    }
    Map<String, String> annotations = secret.getMetadata().getAnnotations();
    if (ids.isEmpty() && annotations != null) {
      Optional.ofNullable(annotations.get("meshfed.io/cluster"))
          .or(() -> Optional.ofNullable(annotations.get("networking.istio.io/cluster"))).ifPresent(ids::add);
    }
    List<Registration> registrations = new ArrayList<>();
    for (String id : ids) {
      registrations.add(new Registration(id, key, server(secret, id)));
    }
    return registrations;
  }

  private static Optional<String> server(Secret secret, String id) {
    String kubeconfig = null;
    if (secret.getStringData() != null && secret.getStringData().containsKey(id)) {
      kubeconfig = secret.getStringData().get(id);
    } else if (secret.getData() != null && secret.getData().containsKey(id)) {
      try {
        kubeconfig = new String(Base64.getMimeDecoder().decode(secret.getData().get(id)), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException notBase64) {
        return Optional.empty();
      }
    }
    if (kubeconfig == null) {
      return Optional.empty();
    }
    try {
      List<YamlDocuments.Document> documents = YamlDocuments.read("kubeconfig", kubeconfig);
      if (documents.isEmpty() || !(documents.get(0).root() instanceof ObjectValue root)) {
        return Optional.empty();
      }
      String current = root.text("current-context").orElse("");
      String clusterName = list(root, "contexts").stream()
          .filter(c -> c.text("name").orElse("").equals(current))
          .flatMap(c -> c.object("context").flatMap(ctx -> ctx.text("cluster")).stream()).findFirst().orElse("");
      List<ObjectValue> clusters = list(root, "clusters");
      return clusters.stream().filter(c -> clusterName.isEmpty() || c.text("name").orElse("").equals(clusterName))
          .flatMap(c -> c.object("cluster").flatMap(cluster -> cluster.text("server")).stream()).findFirst();
    } catch (YamlSyntaxException e) {
      return Optional.empty();
    }
  }

  private static List<ObjectValue> list(ObjectValue root, String field) {
    Value value = root.fields().get(field);
    if (!(value instanceof ListValue list)) {
      return List.of();
    }
    return list.items().stream().filter(ObjectValue.class::isInstance).map(ObjectValue.class::cast).toList();
  }
}
