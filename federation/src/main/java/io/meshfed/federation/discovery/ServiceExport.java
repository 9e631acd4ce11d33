package io.meshfed.federation.discovery;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The Kubernetes Multi-Cluster Services {@code ServiceExport} (KEP-1645, {@code multicluster.x-k8s.io/v1alpha1}):
 * its existence, under the namespace/name of a Service, exports that Service to the cluster set. The spec is empty
 * by definition; the status carries conditions the control plane reports.
 */
@Group(ServiceExport.GROUP)
@Version(ServiceExport.VERSION)
@Kind("ServiceExport")
public class ServiceExport extends CustomResource<Void, ServiceExportStatus> implements Namespaced {

  public static final String GROUP = "multicluster.x-k8s.io";
  public static final String VERSION = "v1alpha1";
  public static final String API_VERSION = GROUP + "/" + VERSION;

  private static final long serialVersionUID = 1L;
}
