package io.meshfed.control.plane.runtime;

import io.meshfed.control.plane.translate.GatewayGroup;
import io.meshfed.control.plane.translate.GatewayGrouping;
import io.meshfed.control.plane.xds.ProxyStatus;
import io.meshfed.control.plane.xds.ProxyStatusQuery;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forgets gateway groups none of whose gateways has been connected for {@code timeout} (a deleted or renamed
 * deployment): {@code gone} is told, which clears the group's snapshot and stops translating for it. Without this,
 * every deployment ever seen would be translated until the control plane restarts.
 *
 * <p>The connected streams are read from the ADS server; a gateway may start its stream between that read and the
 * forgetting, so a group forgotten at one check and found connected at the next is restored.
 *
 * <p>Owned by one context: every check runs on it.
 */
final class IdleGroups {

  private static final Logger LOG = LoggerFactory.getLogger(IdleGroups.class);

  private final Vertx vertx;
  private final Context context;
  private final GatewayGrouping grouping;
  private final ProxyStatusQuery status;
  private final Duration timeout;
  private final Consumer<String> gone;

  // Owned by the context.
  private final Map<String, Long> idleSince = new HashMap<>();
  private Map<String, GatewayGroup> forgottenLastCheck = Map.of();
  private long timer = -1;

  IdleGroups(Vertx vertx, Context context, GatewayGrouping grouping, ProxyStatusQuery status, Duration timeout,
      Consumer<String> gone) {
    this.vertx = vertx;
    this.context = context;
    this.grouping = grouping;
    this.status = status;
    this.timeout = timeout;
    this.gone = gone;
  }

  /** Checks periodically: every quarter of the timeout, at least every second and at most every minute. */
  void start() {
    long period = Math.max(1000, Math.min(60_000, timeout.toMillis() / 4));
    timer = vertx.setPeriodic(period, id -> context.runOnContext(v -> check()));
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private void check() {
    status.proxyStatuses().onComplete(result -> context.runOnContext(v -> {
      if (result.failed()) {
        LOG.debug("idle group check skipped: {}", result.cause().getMessage());
        return;
      }
      evaluate(connectedGroups(result.result()), System.nanoTime());
    }));
  }

  private static Set<String> connectedGroups(List<ProxyStatus> statuses) {
    Set<String> groups = new HashSet<>();
    statuses.forEach(s -> groups.add(s.group()));
    return groups;
  }

  /** One check, given the groups with a connected stream now. */
  void evaluate(Set<String> connected, long nowNanos) {
    Map<String, GatewayGroup> known = grouping.groups();
    forgottenLastCheck.forEach((key, group) -> {
      if (connected.contains(key) && !known.containsKey(key)) {
        LOG.info("gateway group {}: a gateway connected while it was being forgotten; translating for it again",
            key);
        grouping.restore(group);
      }
    });
    Map<String, GatewayGroup> forgotten = new HashMap<>();
    idleSince.keySet().retainAll(known.keySet());
    for (Map.Entry<String, GatewayGroup> entry : known.entrySet()) {
      String key = entry.getKey();
      if (connected.contains(key)) {
        idleSince.remove(key);
        continue;
      }
      long since = idleSince.computeIfAbsent(key, k -> nowNanos);
      if (nowNanos - since >= timeout.toNanos() && grouping.forget(key).isPresent()) {
        idleSince.remove(key);
        forgotten.put(key, entry.getValue());
        LOG.info("gateway group {}: no gateway connected for {}; forgotten, its snapshot cleared", key, timeout);
        gone.accept(key);
      }
    }
    forgottenLastCheck = forgotten;
  }
}
