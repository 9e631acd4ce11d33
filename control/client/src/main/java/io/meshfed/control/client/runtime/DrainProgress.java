package io.meshfed.control.client.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Where a drain stands, for readiness, {@code /server_info} and logs.
 *
 * @param reason what started it ({@code SIGTERM}, {@code admin POST /drain_listeners})
 * @param startedAt when it started
 * @param deadline when whatever is still in flight gets closed
 * @param inFlight requests, streams or connections still in flight at the last poll
 * @param finished whether the drain is over
 */
public record DrainProgress(String reason, Instant startedAt, Instant deadline, int inFlight, boolean finished) {

  public DrainProgress {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(deadline, "deadline");
  }

  /** One line for readiness bodies and logs. */
  public String describe(Instant now) {
    if (finished) {
      return "drained (" + reason + ", started " + startedAt + ")";
    }
    Duration left = Duration.between(now, deadline);
    return "draining (" + reason + "): " + inFlight + " in flight, " + Math.max(0, left.toMillis()) / 1000.0
        + " s to the deadline";
  }
}
