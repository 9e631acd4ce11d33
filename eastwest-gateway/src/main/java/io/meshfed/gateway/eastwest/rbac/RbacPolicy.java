package io.meshfed.gateway.eastwest.rbac;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One {@code envoy.filters.network.rbac} filter: an action and named policies (Istio names them
 * {@code ns[<ns>]-policy[<name>]-rule[<i>]}). ALLOW admits a connection only when some policy matches; DENY refuses it
 * when some policy matches (Envoy's RBAC semantics). Istio emits the DENY filter before the ALLOW filter, so
 * evaluating the filters in order gives AuthorizationPolicy's DENY-then-ALLOW precedence.
 */
public final class RbacPolicy {

  /** {@code config.rbac.v3.RBAC.Action} values the gateway enforces. */
  public enum Action { ALLOW, DENY }

  /** A named policy: it matches when some permission and some principal match. */
  public record Policy(List<Permission> permissions, List<Principal> principals) {
    public Policy {
      permissions = List.copyOf(permissions);
      principals = List.copyOf(principals);
    }

    boolean matches(RbacContext context) {
      return permissions.stream().anyMatch(permission -> permission.matches(context))
          && principals.stream().anyMatch(principal -> principal.matches(context));
    }
  }

  /** The verdict of one filter, with the policy that decided it (for {@code rbac_access_denied_matched_policy}). */
  public record Decision(boolean allowed, String matchedPolicy) {
  }

  private final Action action;
  private final Map<String, Policy> policies;

  public RbacPolicy(Action action, Map<String, Policy> policies) {
    this.action = Objects.requireNonNull(action, "action");
    this.policies = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(policies));
  }

  public Action action() {
    return action;
  }

  public Map<String, Policy> policies() {
    return policies;
  }

  public Decision evaluate(RbacContext context) {
    for (Map.Entry<String, Policy> policy : policies.entrySet()) {
      if (policy.getValue().matches(context)) {
        return new Decision(action == Action.ALLOW, policy.getKey());
      }
    }
    return new Decision(action == Action.DENY, "none");
  }

  /** Evaluates filters in order; the first denial wins. */
  public static Decision evaluateAll(List<RbacPolicy> filters, RbacContext context) {
    Decision last = new Decision(true, "none");
    for (RbacPolicy filter : filters) {
      last = filter.evaluate(context);
      if (!last.allowed()) {
        return last;
      }
    }
    return last;
  }

  @Override
  public String toString() {
    return "RbacPolicy{" + action + ", " + policies.keySet() + "}";
  }
}
