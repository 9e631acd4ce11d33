package io.meshfed.control.client.runtime;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * Whether the gateway should receive traffic, as Istio's gateways answer {@code /healthz/ready}: ready only once it
 * has accepted config from its control plane, holds a valid certificate, and is not draining. The xDS client and
 * the certificate rotation report here from any thread; the state is one immutable value behind an atomic
 * reference, so a reader always sees a consistent whole.
 */
public final class Readiness {

  private record State(String configVersion, Instant configAcceptedAt, Instant certificateNotAfter,
      String certificateProblem, DrainProgress drain) {
  }

  private final AtomicReference<State> state = new AtomicReference<>(new State(null, null, null, null, null));
  private final boolean certificateRequired;
  private final Clock clock;

  Readiness(boolean certificateRequired, Clock clock) {
    this.certificateRequired = certificateRequired;
    this.clock = clock;
  }

  /** The xDS client accepted (ACKed) config of this version; the first call makes the gateway config-ready. */
  public void configAccepted(String versionInfo) {
    Instant now = clock.instant();
    update(current -> new State(versionInfo, now, current.certificateNotAfter, current.certificateProblem,
        current.drain));
  }

  /** The gateway holds a certificate valid until {@code notAfter}. */
  public void certificateLoaded(Instant notAfter) {
    update(current -> new State(current.configVersion, current.configAcceptedAt, notAfter, null, current.drain));
  }

  /** The gateway has no usable certificate, and why ({@code "CSR rejected by the control plane: ..."}). */
  public void certificateUnavailable(String reason) {
    update(current -> new State(current.configVersion, current.configAcceptedAt, null, reason, current.drain));
  }

  void drainProgress(DrainProgress progress) {
    update(current -> new State(current.configVersion, current.configAcceptedAt, current.certificateNotAfter,
        current.certificateProblem, progress));
  }

  /** The last accepted config version, if any. */
  public Optional<String> configVersion() {
    return Optional.ofNullable(state.get().configVersion);
  }

  /** The drain under way or finished, if any. */
  public Optional<DrainProgress> drain() {
    return Optional.ofNullable(state.get().drain);
  }

  /** Evaluates readiness now. */
  public ReadinessStatus check() {
    State current = state.get();
    Instant now = clock.instant();
    List<String> reasons = new ArrayList<>();
    List<String> details = new ArrayList<>();
    if (current.drain != null) {
      reasons.add(current.drain.describe(now));
    }
    if (current.configVersion == null) {
      reasons.add("no config accepted from the control plane yet (waiting for the first xDS push; check the "
          + "gateway's xds.address and the control plane's log)");
    } else {
      details.add("config version " + current.configVersion + " accepted at " + current.configAcceptedAt);
    }
    if (current.certificateNotAfter != null) {
      if (!now.isBefore(current.certificateNotAfter)) {
        reasons.add("certificate expired at " + current.certificateNotAfter + " (rotation failed; check the CA "
            + "connection in the gateway's log)");
      } else {
        details.add("certificate valid until " + current.certificateNotAfter);
      }
    } else if (certificateRequired) {
      reasons.add(current.certificateProblem != null ? "no certificate: " + current.certificateProblem
          : "no certificate yet (waiting for the gateway's SVID from the control plane's CA)");
    }
    String serverState = current.drain != null ? "DRAINING" : reasons.isEmpty() ? "LIVE" : "INITIALIZING";
    return new ReadinessStatus(reasons.isEmpty(), serverState, reasons, details);
  }

  private void update(UnaryOperator<State> change) {
    state.updateAndGet(change);
  }
}
