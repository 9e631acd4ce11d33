package io.meshfed.control.plane.translate.model;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.meshfed.control.plane.config.ConfigSnapshot;
import io.meshfed.federation.catalog.ExportedService;
import io.meshfed.federation.catalog.Locality;
import io.meshfed.federation.catalog.ServiceKey;
import io.meshfed.federation.discovery.ExportIndex;
import io.meshfed.federation.discovery.ExportSettings;
import io.meshfed.federation.discovery.ExportSink;
import io.meshfed.federation.discovery.OrderedTasks;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * This cluster's services and their endpoints, kept from one {@link ConfigSnapshot} to the next with the
 * federation's discovery ({@link ExportIndex#everyService}: the same EndpointSlice, Pod and locality semantics as
 * what the cluster publishes). Only objects that changed (compared by identity: the config store hands out the
 * same instance while an object is unchanged) are fed to the index, so one endpoint change recomputes one service.
 *
 * <p>Not thread-safe: owned by the translator's thread (a bulk load may hand its per-service work to other threads
 * through its {@link OrderedTasks}, and takes the results back in order).
 */
public final class LocalServices {

  // Beyond this share of changed objects, one bulk reload is cheaper than the individual updates.
  private static final double BULK_RELOAD_SHARE = 0.25;

  private final String clusterId;
  private final OrderedTasks tasks;
  private final Map<ServiceKey, ExportedService> services = new HashMap<>();
  private final Set<ServiceKey> changed = new HashSet<>();
  private Locality locality;
  private ExportIndex index;
  private ConfigSnapshot last;

  public LocalServices(String clusterId) {
    this(clusterId, OrderedTasks.SEQUENTIAL);
  }

  /**
   * @param tasks how a bulk load recomputes every service (in parallel chunks, for instance: each service's
   *     discovery only reads the index, and the results are taken in key order)
   */
  public LocalServices(String clusterId, OrderedTasks tasks) {
    this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
    this.tasks = Objects.requireNonNull(tasks, "tasks");
  }

  /**
   * Brings the index up to {@code snapshot}.
   *
   * @param clusterLocality fills what endpoints do not say (their region)
   * @return the services whose discovery result changed (added, changed or gone)
   */
  public Set<ServiceKey> update(ConfigSnapshot snapshot, Locality clusterLocality) {
    changed.clear();
    if (index == null || !clusterLocality.equals(locality)) {
      locality = clusterLocality;
      Set<ServiceKey> before = new HashSet<>(services.keySet());
      services.clear();
      index = ExportIndex.everyService(clusterId, ExportSettings.flat().withLocality(clusterLocality), sink(),
          tasks);
      index.replaceAll(all(snapshot));
      changed.addAll(before);
      last = snapshot;
      return Set.copyOf(changed);
    }
    if (snapshot == last) {
      return Set.of();
    }
    List<Runnable> updates = new ArrayList<>();
    int total = diff(last.namespaces(), snapshot.namespaces(), updates)
        + diff(last.pods(), snapshot.pods(), updates)
        + diff(last.services(), snapshot.services(), updates)
        + diff(last.endpointSlices(), snapshot.endpointSlices(), updates);
    if (updates.size() > BULK_RELOAD_SHARE * Math.max(1, total)) {
      index.replaceAll(all(snapshot));
    } else {
      updates.forEach(Runnable::run);
    }
    last = snapshot;
    return Set.copyOf(changed);
  }

  /** Every Kubernetes service of the cluster (ExternalName excepted) with its endpoints, by key. */
  public Map<ServiceKey, ExportedService> services() {
    return Collections.unmodifiableMap(services);
  }

  private ExportSink sink() {
    return new ExportSink() {
      @Override
      public void exported(ExportedService service) {
        services.put(service.key(), service);
        changed.add(service.key());
      }

      @Override
      public void withdrawn(ServiceKey key) {
        services.remove(key);
        changed.add(key);
      }
    };
  }

  private static List<HasMetadata> all(ConfigSnapshot snapshot) {
    List<HasMetadata> objects = new ArrayList<>();
    objects.addAll(snapshot.namespaces());
    objects.addAll(snapshot.pods());
    objects.addAll(snapshot.services());
    objects.addAll(snapshot.endpointSlices());
    return objects;
  }

  /**
   * Merge-walks two lists sorted by (namespace, name), as the snapshot's lists are, queueing an upsert for each
   * added or replaced object and a delete for each removed one.
   *
   * @return the number of objects in {@code after}
   */
  private <T extends HasMetadata> int diff(List<T> before, List<T> after, List<Runnable> updates) {
    if (before == after) {
      return after.size(); // a kind the config store did not touch: it hands out the same list
    }
    int i = 0;
    int j = 0;
    while (i < before.size() || j < after.size()) {
      T a = i < before.size() ? before.get(i) : null;
      T b = j < after.size() ? after.get(j) : null;
      if (a == b) {
        // The same instance is the same object, unchanged: no names to compare (most objects, most of the time).
        i++;
        j++;
        continue;
      }
      int order = a == null ? 1 : b == null ? -1 : compare(a, b);
      if (order == 0) {
        if (a != b) {
          updates.add(upsert(b));
        }
        i++;
        j++;
      } else if (order < 0) {
        updates.add(delete(a));
        i++;
      } else {
        updates.add(upsert(b));
        j++;
      }
    }
    return after.size();
  }

  private Runnable upsert(HasMetadata object) {
    Consumer<HasMetadata> op = index::upsert;
    return () -> op.accept(object);
  }

  private Runnable delete(HasMetadata object) {
    Consumer<HasMetadata> op = index::delete;
    return () -> op.accept(object);
  }

  private static int compare(HasMetadata a, HasMetadata b) {
    int byNamespace = namespace(a).compareTo(namespace(b));
    return byNamespace != 0 ? byNamespace : a.getMetadata().getName().compareTo(b.getMetadata().getName());
  }

  private static String namespace(HasMetadata object) {
    String namespace = object.getMetadata().getNamespace();
    return namespace == null ? "" : namespace;
  }
}
