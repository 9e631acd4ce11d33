package io.meshfed.federation.catalog;

/** What a fenced {@link HazelcastPublisher}'s holder does next, which decides how loudly the fence is logged. */
enum AfterFence {
  /** Nothing: the publisher stopped for good, an ERROR (a second writer, or an old incarnation, took the cluster). */
  STOP,
  /** A {@link StandbyPublisher} stands by to take over: normal for a replica pair, logged at INFO. */
  STAND_BY
}
