package io.meshfed.federation.catalog;

/** What a fenced write did. */
enum WriteOutcome {
  /** The write is now the catalog's state. */
  APPLIED,
  /** A newer revision of the same epoch was already there: harmless, the newer one stands. */
  SUPERSEDED,
  /** A newer epoch owns the entry: this writer is stale and must stop. */
  FENCED
}
