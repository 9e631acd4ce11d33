package io.meshfed.control.client.runtime;

import java.time.Duration;
import java.time.Instant;

/**
 * How a finished drain went.
 *
 * @param reason what started it
 * @param startedAt when it started
 * @param took how long it took
 * @param inFlightAtStart requests/streams/connections in flight when accepting stopped
 * @param forceClosed how many were still in flight at the deadline and were closed
 */
public record DrainReport(String reason, Instant startedAt, Duration took, int inFlightAtStart, int forceClosed) {

  /** Whether everything in flight finished before the deadline. */
  public boolean clean() {
    return forceClosed == 0;
  }
}
