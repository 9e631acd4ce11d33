package io.meshfed.control.plane.config;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.dsl.Listable;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.meshfed.control.plane.istio.Kinds;
import io.meshfed.control.plane.istio.Origin;
import io.meshfed.control.plane.istio.Values;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The Kubernetes kinds meshfed reads from a cluster: core kinds as fabric8's typed objects, the Istio CRDs and
 * ServiceExport as {@link GenericKubernetesResource}s, so the same parser reads them as it reads files.
 */
final class KubernetesKinds {

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /** One kind: how to list or watch it across namespaces. */
  record Kind(String label, boolean crd, Function<KubernetesClient, Object> operation) {

    @SuppressWarnings("unchecked")
    SharedIndexInformer<HasMetadata> informer(KubernetesClient client) {
      return ((Informable<HasMetadata>) operation.apply(client)).runnableInformer(0);
    }

    @SuppressWarnings("unchecked")
    List<HasMetadata> list(KubernetesClient client) {
      KubernetesResourceList<? extends HasMetadata> list =
          ((Listable<? extends KubernetesResourceList<? extends HasMetadata>>) operation.apply(client)).list();
      return List.copyOf(list.getItems());
    }
  }

  private KubernetesKinds() {
  }

  static List<Kind> all(String networkingVersion, String securityVersion) {
    return all(networkingVersion, securityVersion, null);
  }

  /**
   * The kinds; Secrets only in {@code secretsNamespace} when it is set (the chart grants the control plane Secrets
   * of its own namespace only), else in every namespace.
   */
  static List<Kind> all(String networkingVersion, String securityVersion, String secretsNamespace) {
    List<Kind> kinds = new ArrayList<>();
    kinds.add(typed("Service", Service.class));
    kinds.add(new Kind("EndpointSlice", false, c -> c.discovery().v1().endpointSlices().inAnyNamespace()));
    kinds.add(typed("Pod", Pod.class));
    kinds.add(new Kind("Namespace", false, c -> c.namespaces()));
    kinds.add(typed("ServiceAccount", ServiceAccount.class));
    kinds.add(secretsNamespace == null ? typed("Secret", Secret.class)
        : new Kind("Secret", false, c -> c.secrets().inNamespace(secretsNamespace)));
    kinds.add(crd(Kinds.NETWORKING, networkingVersion, "VirtualService", "virtualservices"));
    kinds.add(crd(Kinds.NETWORKING, networkingVersion, "DestinationRule", "destinationrules"));
    kinds.add(crd(Kinds.NETWORKING, networkingVersion, "Gateway", "gateways"));
    kinds.add(crd(Kinds.NETWORKING, networkingVersion, "ServiceEntry", "serviceentries"));
    kinds.add(crd(Kinds.SECURITY, securityVersion, "PeerAuthentication", "peerauthentications"));
    kinds.add(crd(Kinds.SECURITY, securityVersion, "AuthorizationPolicy", "authorizationpolicies"));
    kinds.add(crd(Kinds.SECURITY, securityVersion, "RequestAuthentication", "requestauthentications"));
    kinds.add(crd(Kinds.MULTICLUSTER, "v1alpha1", "ServiceExport", "serviceexports"));
    return kinds;
  }

  private static Kind typed(String label, Class<? extends HasMetadata> type) {
    return new Kind(label, false, c -> c.resources(type).inAnyNamespace());
  }

  private static Kind crd(String group, String version, String kind, String plural) {
    ResourceDefinitionContext context = new ResourceDefinitionContext.Builder().withGroup(group)
        .withVersion(version).withKind(kind).withPlural(plural).withNamespaced(true).build();
    return new Kind(group + "/" + version + " " + kind, true,
        c -> c.genericKubernetesResources(context).inAnyNamespace());
  }

  /** A raw resource for an object read from the cluster: Istio kinds as trees, core kinds as they are. */
  @SuppressWarnings("unchecked")
  static RawResource raw(HasMetadata object, Origin origin) {
    if (object instanceof GenericKubernetesResource generic) {
      Map<String, Object> tree = SERIALIZATION.convertValue(generic, Map.class);
      return RawResource.document(Values.fromJava(tree), origin);
    }
    return RawResource.object(object, origin);
  }
}
