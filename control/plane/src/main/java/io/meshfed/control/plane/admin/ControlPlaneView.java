package io.meshfed.control.plane.admin;

import io.meshfed.control.plane.config.ConfigSnapshot;
import io.meshfed.control.plane.xds.ProxyStatus;
import io.meshfed.control.plane.xds.Snapshot;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;

/** What the admin API reads from the running control plane; every method is cheap or asynchronous. */
public interface ControlPlaneView {

  /** This cluster's id. */
  String clusterId();

  /** Whether {@code /ready} answers 200. */
  boolean ready();

  /** The readiness body: {@code ready}/{@code not ready}, then one reason per line. */
  String readinessText();

  /** Every connected ADS stream. */
  Future<List<ProxyStatus>> proxyStatuses();

  /** The snapshot a gateway group is sent now. */
  Optional<Snapshot> snapshot(String group);

  /** The current config snapshot (messages: rejected objects and why). */
  ConfigSnapshot config();

  /** What the last translation found ({@code /debug/translation}): problems, figures, groups. */
  JsonObject translation();

  /** The federation view for {@code /debug/clusterz}. */
  Future<JsonObject> federation();
}
