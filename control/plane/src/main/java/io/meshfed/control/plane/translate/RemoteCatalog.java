package io.meshfed.control.plane.translate;

import io.meshfed.federation.catalog.CatalogEvent;
import io.meshfed.federation.catalog.ClusterView;
import io.meshfed.federation.catalog.FederatedService;
import io.meshfed.federation.catalog.ServiceKey;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the federation catalog says about the mesh's clusters and exported services, as one immutable value: fold
 * the catalog subscription's events into it ({@link #apply}) and hand it to the translator in a {@link MeshView}.
 * This cluster's own entries may be included; the translator takes local endpoints from Kubernetes instead.
 *
 * <p>Unchanged services keep their {@link FederatedService} instances from one value to the next: the translator
 * recognises them by identity and reuses what it built for them.
 */
public final class RemoteCatalog {

  private static final RemoteCatalog EMPTY = new RemoteCatalog(Map.of(), Map.of());

  private final Map<String, ClusterView> clusters;
  private final Map<ServiceKey, FederatedService> services;

  private RemoteCatalog(Map<String, ClusterView> clusters, Map<ServiceKey, FederatedService> services) {
    this.clusters = clusters;
    this.services = services;
  }

  public static RemoteCatalog empty() {
    return EMPTY;
  }

  /** A catalog of these clusters and services (copied). */
  public static RemoteCatalog of(Map<String, ClusterView> clusters, Map<ServiceKey, FederatedService> services) {
    Map<ServiceKey, FederatedService> nonEmpty = new HashMap<>();
    services.forEach((key, service) -> {
      if (!service.isEmpty()) {
        nonEmpty.put(key, service);
      }
    });
    return new RemoteCatalog(Map.copyOf(clusters), Collections.unmodifiableMap(nonEmpty));
  }

  /** This catalog with one subscription event applied (a {@code Snapshot} replaces everything). */
  public RemoteCatalog apply(CatalogEvent event) {
    return applyAll(List.of(event));
  }

  /** This catalog with events applied in order; copies the maps once. */
  public RemoteCatalog applyAll(List<? extends CatalogEvent> events) {
    Map<String, ClusterView> nextClusters = null;
    Map<ServiceKey, FederatedService> nextServices = null;
    for (CatalogEvent event : events) {
      if (event instanceof CatalogEvent.Snapshot snapshot) {
        nextClusters = new HashMap<>(snapshot.clusters());
        nextServices = new HashMap<>();
        for (Map.Entry<ServiceKey, FederatedService> e : snapshot.services().entrySet()) {
          if (!e.getValue().isEmpty()) {
            nextServices.put(e.getKey(), e.getValue());
          }
        }
      } else if (event instanceof CatalogEvent.ServiceChanged changed) {
        if (nextServices == null) {
          nextServices = new HashMap<>(services);
        }
        if (changed.service().isEmpty()) {
          nextServices.remove(changed.key());
        } else {
          nextServices.put(changed.key(), changed.service());
        }
      } else if (event instanceof CatalogEvent.ClusterChanged changed) {
        if (nextClusters == null) {
          nextClusters = new HashMap<>(clusters);
        }
        nextClusters.put(changed.cluster().clusterId(), changed.cluster());
      }
      // Synced carries nothing to fold: the runtime decides when the view is complete enough to translate.
    }
    return new RemoteCatalog(nextClusters == null ? clusters : Collections.unmodifiableMap(nextClusters),
        nextServices == null ? services : Collections.unmodifiableMap(nextServices));
  }

  /** The clusters by id, with their lease state. */
  public Map<String, ClusterView> clusters() {
    return clusters;
  }

  /** Every exported service with at least one exporting cluster. */
  public Map<ServiceKey, FederatedService> services() {
    return services;
  }

  @Override
  public String toString() {
    return "RemoteCatalog[clusters=" + clusters.keySet() + ", services=" + services.size() + "]";
  }
}
