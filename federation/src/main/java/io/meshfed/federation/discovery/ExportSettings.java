package io.meshfed.federation.discovery;

import io.meshfed.federation.catalog.Locality;
import io.meshfed.federation.catalog.Reach;
import java.util.Map;
import java.util.Objects;

/**
 * How one cluster's Kubernetes objects become catalog entries.
 *
 * @param reach ENDPOINTS when the networks are flat (pod IPs are published), GATEWAY otherwise (entries point at the
 *     cluster's east-west gateways and carry only the healthy endpoint count)
 * @param clusterLocality fills what endpoints do not say (the region: EndpointSlices carry only the zone)
 * @param namespaceSelector Istio's {@code discoverySelectors} in their matchLabels form: when not empty, only
 *     Services in namespaces carrying all these labels are discovered
 */
public record ExportSettings(Reach reach, Locality clusterLocality, Map<String, String> namespaceSelector) {

  public ExportSettings {
    Objects.requireNonNull(reach, "reach");
    clusterLocality = Objects.requireNonNullElse(clusterLocality, Locality.UNKNOWN);
    namespaceSelector = Map.copyOf(namespaceSelector);
  }

  public static ExportSettings flat() {
    return new ExportSettings(Reach.ENDPOINTS, Locality.UNKNOWN, Map.of());
  }

  public static ExportSettings viaGateway() {
    return new ExportSettings(Reach.GATEWAY, Locality.UNKNOWN, Map.of());
  }

  public ExportSettings withLocality(Locality locality) {
    return new ExportSettings(reach, locality, namespaceSelector);
  }

  public ExportSettings withNamespaceSelector(Map<String, String> selector) {
    return new ExportSettings(reach, clusterLocality, selector);
  }
}
