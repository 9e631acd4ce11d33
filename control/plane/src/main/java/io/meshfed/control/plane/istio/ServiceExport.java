package io.meshfed.control.plane.istio;

/**
 * The Kubernetes Multi-Cluster Services {@code ServiceExport} (multicluster.x-k8s.io/v1alpha1): exports the
 * Service of the same namespace and name to the other clusters of the mesh.
 */
public record ServiceExport(ResourceMeta meta) implements ConfigResource {
}
