package io.meshfed.federation.catalog;

/**
 * A {@link ClusterPublisher#replaceAll} ended because its publisher was closed: our own shutdown, or the rollback of a
 * failed start, cut it off, so callers need not report it. A call out at the close fails with this even when the
 * member then went away under it.
 */
public final class PublisherClosedException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  private final String clusterId;
  private final long epoch;

  PublisherClosedException(String clusterId, long epoch) {
    super("cluster " + clusterId + ": publisher is closed (epoch " + epoch + ")");
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
