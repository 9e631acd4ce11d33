package io.meshfed.control.plane.cli;

import io.meshfed.control.client.accesslog.AccessLogEntry;
import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What the gateways asked know about one request id: the hops that saw it, in time order, and the admin servers
 * that could not be asked.
 *
 * @param requestId the request id
 * @param hops the gateways' entries for it, oldest first
 * @param unreachable admin servers that did not answer, with why
 * @param asked how many admin servers were asked
 */
record ExplainTrace(String requestId, List<Hop> hops, List<Unreachable> unreachable, int asked) {

  /**
   * One gateway's entry for the request.
   *
   * @param gateway the gateway's name
   * @param namespace its namespace
   * @param cluster its cluster
   * @param role its role
   * @param admin the admin server that answered
   * @param entry its access-log entry
   */
  record Hop(String gateway, String namespace, String cluster, String role, URI admin, AccessLogEntry entry) {
  }

  /** An admin server that could not be asked. */
  record Unreachable(URI admin, String error) {
  }

  ExplainTrace {
    hops = hops.stream().sorted(Comparator.comparing((Hop hop) -> hop.entry().startTime())).toList();
    unreachable = List.copyOf(unreachable);
  }

  /**
   * The hop where the failure began: the last hop (in time order, so the deepest) that generated a failure itself
   * (a response flag, an RBAC denial); without one, the last hop that failed at all (the application's own error,
   * forwarded); empty when no hop failed.
   */
  Optional<Integer> failingHop() {
    for (int i = hops.size() - 1; i >= 0; i--) {
      if (hops.get(i).entry().locallyGenerated()) {
        return Optional.of(i);
      }
    }
    for (int i = hops.size() - 1; i >= 0; i--) {
      if (hops.get(i).entry().failed()) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }
}
