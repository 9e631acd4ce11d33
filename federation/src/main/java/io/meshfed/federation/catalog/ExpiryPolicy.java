package io.meshfed.federation.catalog;

/**
 * What a mesh does with a cluster whose lease expired and whose grace ran out. Every member of a mesh must use the
 * same policy.
 */
public enum ExpiryPolicy {
  /** Remove its endpoints: traffic fails over to live clusters (the default). */
  WITHDRAW,
  /** Keep serving its last known endpoints, marked stale, until it comes back or an operator removes it. */
  FAIL_STATIC
}
