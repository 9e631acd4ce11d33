package io.meshfed.control.plane.runtime;

import io.meshfed.control.plane.config.ConfigSnapshot;
import io.meshfed.control.plane.translate.RemoteCatalog;
import io.meshfed.trust.TrustBundle;
import java.util.Objects;

/**
 * Everything translation reads, as one immutable value: the local config snapshot, the federation catalog's
 * services and clusters, and the trust bundle. A new input is a new state.
 *
 * @param generation rises with every change of any input, for logs
 */
public record MeshState(ConfigSnapshot config, RemoteCatalog catalog, TrustBundle trust, long generation) {

  public MeshState {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(catalog, "catalog");
    Objects.requireNonNull(trust, "trust");
  }

  @Override
  public String toString() {
    return "MeshState{generation=" + generation + ", config=" + config.version() + ", services="
        + catalog.services().size() + ", clusters=" + catalog.clusters().keySet() + "}";
  }
}
