package io.meshfed.control.plane.translate;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.meshfed.control.plane.xds.NodeGrouping;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The {@link NodeGrouping} for the translator: one group per gateway deployment ({@link GatewayGroup#of(Node)}), and
 * a memory of every group seen, so the translation knows which groups to produce snapshots for.
 *
 * <p>{@link #groupOf(Node)} runs on the ADS server's context and never blocks: a group seen for the first time is
 * recorded and the listeners are told (on that context; they should only schedule a translation).
 */
public final class GatewayGrouping implements NodeGrouping {

  private final Map<String, GatewayGroup> groups = new ConcurrentHashMap<>();
  private final CopyOnWriteArrayList<Consumer<GatewayGroup>> listeners = new CopyOnWriteArrayList<>();

  private GatewayGrouping() {
  }

  public static GatewayGrouping create() {
    return new GatewayGrouping();
  }

  @Override
  public String groupOf(Node node) {
    GatewayGroup group = GatewayGroup.of(node);
    GatewayGroup previous = groups.put(group.key(), group);
    if (!group.equals(previous)) {
      // A new group, or a pod of the group announcing other labels (a rollout): both need a translation.
      for (Consumer<GatewayGroup> listener : listeners) {
        listener.accept(group);
      }
    }
    return group.key();
  }

  /** Every group seen and not forgotten, by key. */
  public Map<String, GatewayGroup> groups() {
    return Map.copyOf(groups);
  }

  /** Calls {@code listener} with each new (or changed) group. */
  public void onNewGroup(Consumer<GatewayGroup> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Remembers a group again, telling the listeners, unless a gateway of the group announced itself meanwhile: for a
   * group forgotten while one of its gateways was connecting.
   */
  public void restore(GatewayGroup group) {
    if (groups.putIfAbsent(group.key(), group) == null) {
      for (Consumer<GatewayGroup> listener : listeners) {
        listener.accept(group);
      }
    }
  }

  /** Forgets a group (e.g. once none of its gateways has been connected for a while). */
  public Optional<GatewayGroup> forget(String key) {
    return Optional.ofNullable(groups.remove(key));
  }
}
