package io.meshfed.federation.remote;

import io.meshfed.federation.catalog.ClusterInfo;
import java.util.Objects;
import java.util.Optional;

/**
 * One remote cluster as a Secret registers it: its id, the kubeconfig to reach its API server, what it says about its
 * network, and optionally the federation endpoint of its own control plane (multi-primary).
 *
 * <p>{@link #toString()} never shows the kubeconfig: it holds credentials.
 */
public record RemoteCredential(String secret, ClusterInfo info, String kubeconfig, String server, String digest,
    Optional<String> federationEndpoint) {

  public RemoteCredential {
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(info, "info");
    Objects.requireNonNull(kubeconfig, "kubeconfig");
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(federationEndpoint, "federationEndpoint");
  }

  public String clusterId() {
    return info.clusterId();
  }

  @Override
  public String toString() {
    return "RemoteCredential[cluster=" + clusterId() + ", secret=" + secret + ", kubeconfig=<redacted sha256:"
        + digest.substring(0, 12) + ">]";
  }
}
