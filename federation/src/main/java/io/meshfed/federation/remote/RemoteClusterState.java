package io.meshfed.federation.remote;

/** Where a remote cluster registered by Secret stands. */
public enum RemoteClusterState {
  /** Client built, informers listing for the first time. */
  SYNCING,
  /** Informers synced and watching; the cluster is published. */
  SYNCED,
  /** Did not sync within the sync timeout; still trying, readiness no longer waits for it. */
  SYNC_TIMEOUT,
  /** The API server stopped answering after a sync: heartbeats suspended, the mesh's expiry policy applies. */
  UNREACHABLE,
  /** The Secret (or this cluster's part of it) cannot be used: nothing of it is running. */
  INVALID,
  /** Another Secret registered the same cluster id first. */
  REFUSED
}
