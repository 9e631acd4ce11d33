package io.meshfed.control.plane.istio;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A set of pods known to the config: a running Pod, or the pod template of a Deployment, StatefulSet, DaemonSet or
 * ReplicaSet (so that files without live pods can still be checked).
 *
 * @param source {@code Pod default/reviews-v1-abc} or {@code Deployment default/reviews-v1}
 */
public record Workload(String namespace, Map<String, String> labels, ResourceKey source) {

  public Workload {
    labels = Map.copyOf(labels);
  }

  /** The workloads among the given Kubernetes objects. */
  public static List<Workload> of(List<? extends HasMetadata> objects) {
    return objects.stream().map(Workload::of).flatMap(Optional::stream).toList();
  }

  static Optional<Workload> of(HasMetadata object) {
    PodTemplateSpec template = null;
    Map<String, String> labels = null;
    if (object instanceof Pod pod) {
      labels = pod.getMetadata().getLabels();
    } else if (object instanceof Deployment d && d.getSpec() != null) {
      template = d.getSpec().getTemplate();
    } else if (object instanceof StatefulSet s && s.getSpec() != null) {
      template = s.getSpec().getTemplate();
    } else if (object instanceof DaemonSet d && d.getSpec() != null) {
      template = d.getSpec().getTemplate();
    } else if (object instanceof ReplicaSet r && r.getSpec() != null) {
      template = r.getSpec().getTemplate();
    } else {
      return Optional.empty();
    }
    if (template != null && template.getMetadata() != null) {
      labels = template.getMetadata().getLabels();
    }
    String namespace = Objects.requireNonNullElse(object.getMetadata().getNamespace(), "");
    return Optional.of(new Workload(namespace, labels == null ? Map.of() : labels,
        new ResourceKey(object.getKind(), namespace, object.getMetadata().getName())));
  }
}
