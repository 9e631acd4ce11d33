package io.meshfed.control.plane.istio;

import io.meshfed.control.plane.istio.AuthorizationPolicy.Action;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Finds the AuthorizationPolicies and RequestAuthentications that apply to a workload: those of the root namespace
 * without selector (mesh-wide) or with a matching selector (in every namespace), and those of the workload's
 * namespace without selector or with a matching one.
 */
public final class AuthorizationPolicyIndex {

  /** The policies for one workload, grouped in evaluation order: CUSTOM, DENY, ALLOW; AUDIT apart. */
  public record Applicable(List<AuthorizationPolicy> custom, List<AuthorizationPolicy> deny,
      List<AuthorizationPolicy> allow, List<AuthorizationPolicy> audit) {

    /** Without ALLOW policies, requests not denied are allowed; with them, a request must match one. */
    public boolean allowByDefault() {
      return allow.isEmpty();
    }
  }

  private static final Applicable NONE = new Applicable(List.of(), List.of(), List.of(), List.of());

  private final List<AuthorizationPolicy> policies;
  private final List<RequestAuthentication> authentications;
  private final String rootNamespace;

  public AuthorizationPolicyIndex(List<AuthorizationPolicy> policies, List<RequestAuthentication> authentications,
      String rootNamespace) {
    this.policies = policies.stream()
        .sorted(Comparator.comparing(AuthorizationPolicy::meta, ResourceMeta.OLDEST_FIRST)).toList();
    this.authentications = authentications.stream()
        .sorted(Comparator.comparing(RequestAuthentication::meta, ResourceMeta.OLDEST_FIRST)).toList();
    this.rootNamespace = rootNamespace;
  }

  /** Whether there is no AuthorizationPolicy at all: every workload's {@link #forWorkload} is empty. */
  public boolean noPolicies() {
    return policies.isEmpty();
  }

  public Applicable forWorkload(String namespace, Map<String, String> labels) {
    if (policies.isEmpty()) {
      return NONE; // asked once per chain of the east-west gateway: tens of thousands of times in a large mesh
    }
    List<AuthorizationPolicy> applicable = policies.stream()
        .filter(p -> applies(p.meta().namespace(), p.selector(), namespace, labels)).toList();
    return new Applicable(by(applicable, Action.CUSTOM), by(applicable, Action.DENY), by(applicable, Action.ALLOW),
        by(applicable, Action.AUDIT));
  }

  /** Every RequestAuthentication in force for the workload; their JWT rules combine. */
  public List<RequestAuthentication> requestAuthentications(String namespace, Map<String, String> labels) {
    return authentications.stream().filter(r -> applies(r.meta().namespace(), r.selector(), namespace, labels))
        .toList();
  }

  private boolean applies(String policyNamespace, Map<String, String> selector, String namespace,
      Map<String, String> labels) {
    boolean inScope = policyNamespace.equals(rootNamespace) || policyNamespace.equals(namespace);
    return inScope && Selectors.matches(selector, labels);
  }

  private static List<AuthorizationPolicy> by(List<AuthorizationPolicy> policies, Action action) {
    return policies.stream().filter(p -> p.action() == action).toList();
  }
}
