package io.meshfed.control.plane.analyze;

import io.fabric8.kubernetes.api.model.Secret;
import io.meshfed.control.plane.istio.Message;
import io.meshfed.control.plane.istio.MessageType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A cluster id must be registered by one remote-cluster Secret only (MF0113): with two, which kubeconfig meshfed
 * uses for the cluster depends on the order it reads them, and rotating one silently changes nothing.
 */
final class RemoteSecretAnalyzer implements Analyzer {

  @Override
  public List<MessageType> reports() {
    return List.of(MessageType.DUPLICATE_CLUSTER_ID);
  }

  @Override
  public void analyze(AnalysisContext context, Consumer<Message> report) {
    Map<String, RemoteSecrets.Registration> byId = new HashMap<>();
    for (Secret secret : context.snapshot().secrets()) {
      if (!RemoteSecrets.isRemoteSecret(secret)) {
        continue;
      }
      for (RemoteSecrets.Registration registration : RemoteSecrets.registrations(secret)) {
        RemoteSecrets.Registration first = byId.putIfAbsent(registration.clusterId(), registration);
        if (first != null && !first.secret().equals(registration.secret())) {
          report.accept(Message.of(MessageType.DUPLICATE_CLUSTER_ID, registration.secret(),
              context.snapshot().origin(registration.secret()), "data." + registration.clusterId(),
              "cluster id \"" + registration.clusterId() + "\" is already registered by " + first.secret()
                  + "; which kubeconfig is used is undefined",
              "keep one remote secret per cluster: delete one, or give each cluster a unique id"));
        }
      }
    }
  }
}
