package io.meshfed.federation.catalog;

/** A cluster's lease state as one member sees it. */
public enum ClusterHealth {
  /** Heartbeating within its lease. */
  LIVE,
  /** Lease expired: endpoints still served, marked stale (for the grace, or for good under FAIL_STATIC). */
  STALE,
  /** Lease and grace expired under the WITHDRAW policy: its endpoints are gone from every view. */
  WITHDRAWN
}
