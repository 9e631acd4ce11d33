package io.meshfed.control.plane.istio;

import java.util.Objects;

/**
 * Mesh-wide settings that change how config is read, with Istio's defaults.
 *
 * @param domainSuffix the cluster DNS suffix short host names are completed with ({@code cluster.local})
 * @param rootNamespace where mesh-wide PeerAuthentication, AuthorizationPolicy and RequestAuthentication live, and
 *     the last namespace on the DestinationRule lookup path (Istio's {@code meshConfig.rootNamespace},
 *     {@code istio-system})
 * @param defaultNamespace the namespace of objects read from files without {@code metadata.namespace}
 */
public record MeshSettings(String domainSuffix, String rootNamespace, String defaultNamespace) {

  public static final MeshSettings DEFAULT = new MeshSettings("cluster.local", "istio-system", "default");

  public MeshSettings {
    Objects.requireNonNull(domainSuffix, "domainSuffix");
    Objects.requireNonNull(rootNamespace, "rootNamespace");
    Objects.requireNonNull(defaultNamespace, "defaultNamespace");
    if (domainSuffix.isEmpty() || domainSuffix.startsWith(".") || domainSuffix.endsWith(".")) {
      throw new IllegalArgumentException("domainSuffix: \"" + domainSuffix + "\" (expected: e.g. cluster.local)");
    }
    if (rootNamespace.isEmpty() || defaultNamespace.isEmpty()) {
      throw new IllegalArgumentException("rootNamespace, defaultNamespace: must not be empty");
    }
  }

  public MeshSettings withDefaultNamespace(String namespace) {
    return new MeshSettings(domainSuffix, rootNamespace, namespace);
  }
}
