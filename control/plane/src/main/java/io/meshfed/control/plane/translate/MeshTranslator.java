package io.meshfed.control.plane.translate;

/**
 * Translates a {@link MeshView} into one xDS snapshot per gateway group (docs/translation.md, docs/xds-profile.md).
 *
 * <p>Stateful and incremental: it keeps what it built for the previous view, so a view that differs only in a few
 * services' endpoints rebuilds only those services' load assignments and derives the next snapshots from the
 * previous ones (unchanged resources keep their versions, so the ADS server pushes a small delta).
 *
 * <p>Not thread-safe: confine it to one thread, and not an event loop (a full translation of a large mesh takes
 * hundreds of milliseconds); for example a Vert.x worker with ordered {@code executeBlocking}.
 */
public final class MeshTranslator {

  private MeshTranslator() {
  }

  public static MeshTranslator create() {
    return new MeshTranslator();
  }

  /** The snapshots for every group of the view, and the problems met. */
  public Translation translate(MeshView view) {
    throw new UnsupportedOperationException("translation: being built on branch translate");
  }
}
