package io.meshfed.control.client.runtime;

import java.util.List;

/**
 * The answer of {@code /healthz/ready}: ready or not, the server state in Envoy's words ({@code LIVE},
 * {@code INITIALIZING}, {@code DRAINING}) and every reason it is not ready.
 *
 * @param ready whether the gateway should receive traffic
 * @param state {@code LIVE}, {@code INITIALIZING} or {@code DRAINING}
 * @param reasons why not ready, one line each; empty when ready
 * @param details what is in place when ready (config version, certificate expiry)
 */
public record ReadinessStatus(boolean ready, String state, List<String> reasons, List<String> details) {

  public ReadinessStatus {
    reasons = List.copyOf(reasons);
    details = List.copyOf(details);
  }
}
