package io.meshfed.federation.catalog;

/** The (epoch, revision) order that fences writers: epoch first, then revision. */
final class Versions {

  private Versions() {
  }

  static int compare(long epoch, long revision, long otherEpoch, long otherRevision) {
    int byEpoch = Long.compare(epoch, otherEpoch);
    return byEpoch != 0 ? byEpoch : Long.compare(revision, otherRevision);
  }
}
