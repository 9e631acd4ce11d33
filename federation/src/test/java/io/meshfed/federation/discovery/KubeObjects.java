package io.meshfed.federation.discovery;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.Map;

/** Kubernetes objects as a cluster running Istio's bookinfo would have them. */
final class KubeObjects {

  private KubeObjects() {
  }

  static Service service(String namespace, String name, int port) {
    return new ServiceBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
        .withNewSpec().withType("ClusterIP").addNewPort().withName("http").withPort(port).withProtocol("TCP")
        .withAppProtocol("http").endPort().endSpec().build();
  }

  static ServiceExport export(String namespace, String name) {
    ServiceExport export = new ServiceExport();
    export.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
    return export;
  }

  static GenericKubernetesResource genericExport(String namespace, String name) {
    return new GenericKubernetesResourceBuilder().withApiVersion(ServiceExport.API_VERSION).withKind("ServiceExport")
        .withNewMetadata().withNamespace(namespace).withName(name).endMetadata().build();
  }

  static Pod pod(String namespace, String name, Map<String, String> labels) {
    return new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).withLabels(labels).endMetadata()
        .build();
  }

  static Namespace namespace(String name, Map<String, String> labels) {
    return new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata().build();
  }

  /** One slice of {@code service}; endpoints given as "address/pod/ready/serving/terminating". */
  static EndpointSlice slice(String namespace, String service, String sliceName, int targetPort, String zone,
      String... endpoints) {
    EndpointSliceBuilder builder = new EndpointSliceBuilder().withNewMetadata().withNamespace(namespace)
        .withName(sliceName).addToLabels(ExportIndex.SERVICE_NAME_LABEL, service).endMetadata()
        .withAddressType("IPv4").addNewPort().withName("http").withPort(targetPort).withProtocol("TCP").endPort();
    for (String endpoint : endpoints) {
      String[] f = endpoint.split("/");
      builder.addToEndpoints(new EndpointBuilder().withAddresses(f[0]).withZone(zone)
          .withNewTargetRef().withKind("Pod").withNamespace(namespace).withName(f[1]).endTargetRef()
          .withNewConditions().withReady(Boolean.valueOf(f[2])).withServing(Boolean.valueOf(f[3]))
          .withTerminating(Boolean.valueOf(f[4])).endConditions().build());
    }
    return builder.build();
  }
}
