package io.meshfed.trust.rotation;

/**
 * When a {@link RotatingSvid} renews and warns, as fractions of the time from fetching an SVID to its expiry.
 *
 * @param renewAt renew after this fraction of the lifetime (0.5: half life, like Istio's SECRET_GRACE_PERIOD_RATIO)
 * @param jitter renew up to this fraction earlier, at random, so a fleet does not renew in one burst
 * @param warnAt past this fraction without a successful renewal, log a warning and raise the
 *     {@code meshfed_svid_expiring} gauge: well before expiry, with hours left at the default 24 h lifetime
 * @param retry how to back off while renewal fails
 */
public record RotationPolicy(double renewAt, double jitter, double warnAt, Backoff retry) {

  /** Renew at half life (up to 5 % earlier), warn at 75 %, retry from 1 s doubling to 1 min. */
  public static final RotationPolicy DEFAULT = new RotationPolicy(0.5, 0.05, 0.75, Backoff.DEFAULT);

  public RotationPolicy {
    if (!(renewAt > 0 && renewAt < 1)) {
      throw new IllegalArgumentException("renewAt: " + renewAt + " (expected: between 0 and 1, e.g. 0.5)");
    }
    if (!(jitter >= 0 && jitter < renewAt)) {
      throw new IllegalArgumentException("jitter: " + jitter + " (expected: 0 <= jitter < renewAt " + renewAt + ")");
    }
    if (!(warnAt > renewAt && warnAt < 1)) {
      throw new IllegalArgumentException("warnAt: " + warnAt + " (expected: between renewAt " + renewAt
          + " and 1)");
    }
    if (retry == null) {
      throw new IllegalArgumentException("retry: null (expected: a Backoff)");
    }
  }

  /** This policy with another retry backoff. */
  public RotationPolicy withRetry(Backoff backoff) {
    return new RotationPolicy(renewAt, jitter, warnAt, backoff);
  }
}
