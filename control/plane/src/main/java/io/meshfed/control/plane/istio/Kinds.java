package io.meshfed.control.plane.istio;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The kinds meshfed reads, by API group and version. */
public final class Kinds {

  public static final String NETWORKING = "networking.istio.io";
  public static final String SECURITY = "security.istio.io";
  public static final String MULTICLUSTER = "multicluster.x-k8s.io";

  /** networking.istio.io kinds; read at v1, v1beta1 and v1alpha3 alike. */
  public static final Set<String> NETWORKING_KINDS = Set.of("VirtualService", "DestinationRule", "Gateway",
      "ServiceEntry");
  public static final Set<String> NETWORKING_VERSIONS = Set.of("v1", "v1beta1", "v1alpha3");
  /** security.istio.io kinds; read at v1 and v1beta1. */
  public static final Set<String> SECURITY_KINDS = Set.of("PeerAuthentication", "AuthorizationPolicy",
      "RequestAuthentication");
  public static final Set<String> SECURITY_VERSIONS = Set.of("v1", "v1beta1");

  /** Kubernetes kinds carried as fabric8 objects, by {@code apiVersion/kind}. */
  static final Map<String, Class<? extends HasMetadata>> KUBERNETES = Map.ofEntries(
      Map.entry("v1/Service", Service.class),
      Map.entry("v1/Pod", Pod.class),
      Map.entry("v1/Namespace", Namespace.class),
      Map.entry("v1/ServiceAccount", ServiceAccount.class),
      Map.entry("v1/Secret", Secret.class),
      Map.entry("discovery.k8s.io/v1/EndpointSlice", EndpointSlice.class),
      Map.entry("apps/v1/Deployment", Deployment.class),
      Map.entry("apps/v1/StatefulSet", StatefulSet.class),
      Map.entry("apps/v1/DaemonSet", DaemonSet.class),
      Map.entry("apps/v1/ReplicaSet", ReplicaSet.class));

  private Kinds() {
  }

  static Optional<Class<? extends HasMetadata>> kubernetes(String apiVersion, String kind) {
    return Optional.ofNullable(KUBERNETES.get(apiVersion + "/" + kind));
  }

  static String group(String apiVersion) {
    int slash = apiVersion.indexOf('/');
    return slash < 0 ? "" : apiVersion.substring(0, slash);
  }

  static String version(String apiVersion) {
    return apiVersion.substring(apiVersion.indexOf('/') + 1);
  }

  static boolean clusterScoped(String kind) {
    return kind.equals("Namespace");
  }
}
