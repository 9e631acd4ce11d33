package io.meshfed.control.plane.analyze;

import io.fabric8.kubernetes.api.model.Secret;
import io.meshfed.control.plane.istio.Message;
import io.meshfed.control.plane.istio.MessageType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Across the mesh, one cluster id must mean one cluster (MF0113): two clusters' remote secrets that register the
 * same id with different API servers make the clusters disagree on who that cluster is (endpoints and identities
 * would be attributed to the wrong cluster).
 */
final class RemoteClusterIdAnalyzer implements MeshAnalyzer {

  private record Seen(String cluster, RemoteSecrets.Registration registration) {
  }

  @Override
  public List<MessageType> reports() {
    return List.of(MessageType.DUPLICATE_CLUSTER_ID);
  }

  @Override
  public void analyze(List<ClusterConfig> clusters, Consumer<Message> report) {
    Map<String, Seen> byId = new HashMap<>();
    for (ClusterConfig cluster : clusters) {
      for (Secret secret : cluster.snapshot().secrets()) {
        if (!RemoteSecrets.isRemoteSecret(secret)) {
          continue;
        }
        for (RemoteSecrets.Registration registration : RemoteSecrets.registrations(secret)) {
          if (registration.server().isEmpty()) {
            continue;
          }
          Seen first = byId.putIfAbsent(registration.clusterId(), new Seen(cluster.name(), registration));
          if (first != null && !first.registration().server().equals(registration.server())) {
            report.accept(Message.of(MessageType.DUPLICATE_CLUSTER_ID, registration.secret(),
                cluster.snapshot().origin(registration.secret()), "data." + registration.clusterId(),
                "cluster id \"" + registration.clusterId() + "\" points at " + registration.server().get()
                    + " here but at " + first.registration().server().get() + " in cluster " + first.cluster()
                    + " (" + first.registration().secret() + "); one id must name one cluster",
                "give each cluster a unique id and use the same id for it in every remote secret")
                .inCluster(cluster.name()));
          }
        }
      }
    }
  }
}
