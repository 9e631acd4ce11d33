package io.meshfed.federation.catalog;

/** A publisher's write or heartbeat was refused because a newer epoch owns the cluster. */
public final class FencedException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  private final String clusterId;
  private final long epoch;

  FencedException(String clusterId, long epoch, String detail) {
    super("cluster " + clusterId + ": publisher of epoch " + epoch + " was fenced: " + detail);
    this.clusterId = clusterId;
    this.epoch = epoch;
  }

  public String clusterId() {
    return clusterId;
  }

  public long epoch() {
    return epoch;
  }
}
