package io.meshfed.federation.catalog;

import java.time.Duration;
import java.util.Objects;

/**
 * Lease and repair timing of the catalog. Defaults: heartbeat every 5 s, lease 15 s, withdrawal 60 s after the lease
 * expired, anti-entropy every 30 s, close timeout 5 s. Tests use short values; production should keep the lease several
 * heartbeats long.
 *
 * @param closeTimeout how long a close waits for a Hazelcast call still out (a member that is shutting down may never
 *     answer one) before it completes anyway, with one warning
 */
public record CatalogSettings(Duration heartbeatInterval, Duration leaseDuration, Duration withdrawGrace,
    ExpiryPolicy expiryPolicy, Duration antiEntropyInterval, int maxInFlightWrites, Duration closeTimeout) {

  public static final CatalogSettings DEFAULTS = builder().build();

  public CatalogSettings {
    positive("heartbeatInterval", heartbeatInterval);
    positive("leaseDuration", leaseDuration);
    positive("antiEntropyInterval", antiEntropyInterval);
    Objects.requireNonNull(withdrawGrace, "withdrawGrace");
    if (withdrawGrace.isNegative()) {
      throw new IllegalArgumentException("withdrawGrace: " + withdrawGrace + " (expected: >= 0)");
    }
    Objects.requireNonNull(expiryPolicy, "expiryPolicy");
    if (leaseDuration.compareTo(heartbeatInterval) <= 0) {
      throw new IllegalArgumentException("leaseDuration: " + leaseDuration
          + " (expected: longer than heartbeatInterval " + heartbeatInterval + ", ideally 3 heartbeats)");
    }
    if (maxInFlightWrites < 1) {
      throw new IllegalArgumentException("maxInFlightWrites: " + maxInFlightWrites + " (expected: >= 1)");
    }
    positive("closeTimeout", closeTimeout);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** How often a member re-evaluates leases: often enough to notice an expiry within a tenth of the lease. */
  Duration leaseCheckInterval() {
    long millis = Math.max(20, Math.min(1000, leaseDuration.toMillis() / 10));
    return Duration.ofMillis(millis);
  }

  private static void positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
    }
  }

  /** Builds {@link CatalogSettings}; each setter validates its argument. */
  public static final class Builder {
    private Duration heartbeatInterval = Duration.ofSeconds(5);
    private Duration leaseDuration = Duration.ofSeconds(15);
    private Duration withdrawGrace = Duration.ofSeconds(60);
    private ExpiryPolicy expiryPolicy = ExpiryPolicy.WITHDRAW;
    private Duration antiEntropyInterval = Duration.ofSeconds(30);
    private int maxInFlightWrites = 4096;
    private Duration closeTimeout = Duration.ofSeconds(5);

    private Builder() {
    }

    public Builder heartbeatInterval(Duration value) {
      positive("heartbeatInterval", value);
      this.heartbeatInterval = value;
      return this;
    }

    public Builder leaseDuration(Duration value) {
      positive("leaseDuration", value);
      this.leaseDuration = value;
      return this;
    }

    public Builder withdrawGrace(Duration value) {
      Objects.requireNonNull(value, "withdrawGrace");
      if (value.isNegative()) {
        throw new IllegalArgumentException("withdrawGrace: " + value + " (expected: >= 0)");
      }
      this.withdrawGrace = value;
      return this;
    }

    public Builder expiryPolicy(ExpiryPolicy value) {
      this.expiryPolicy = Objects.requireNonNull(value, "expiryPolicy");
      return this;
    }

    public Builder antiEntropyInterval(Duration value) {
      positive("antiEntropyInterval", value);
      this.antiEntropyInterval = value;
      return this;
    }

    /**
     * Services a publisher writes at once (default 4096); they are grouped per partition into one operation each,
     * so a large value mostly means fewer, larger operations.
     */
    public Builder maxInFlightWrites(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("maxInFlightWrites: " + value + " (expected: >= 1)");
      }
      this.maxInFlightWrites = value;
      return this;
    }

    /**
     * How long a close waits for a Hazelcast call still out (default 5 s): a publisher's close (its context may be
     * held by such a call, its cleanup of older epochs still out), a view's listener removal, the undeployment of
     * publishers' contexts, a remote cluster's withdrawal. Past it the close completes and says so once.
     */
    public Builder closeTimeout(Duration value) {
      positive("closeTimeout", value);
      this.closeTimeout = value;
      return this;
    }

    public CatalogSettings build() {
      return new CatalogSettings(heartbeatInterval, leaseDuration, withdrawGrace, expiryPolicy, antiEntropyInterval,
          maxInFlightWrites, closeTimeout);
    }
  }
}
