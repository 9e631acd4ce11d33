package io.meshfed.control.plane.istio;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Istio's AuthorizationPolicy (security.istio.io). Scope as for {@link PeerAuthentication}. Evaluation order for a
 * request (Istio's): CUSTOM policies, then DENY, then ALLOW; AUDIT only marks requests for logging. A workload
 * with no ALLOW policy allows what is not denied; with ALLOW policies, a request must match one of them.
 *
 * @param rules a request matches the policy if it matches any rule; no rules matches nothing (so an ALLOW policy
 *     without rules denies everything), {@code rules: [{}]} matches everything
 * @param provider the extension provider of a CUSTOM policy
 */
public record AuthorizationPolicy(ResourceMeta meta, Map<String, String> selector, Action action,
    Optional<String> provider, List<Rule> rules) implements ConfigResource {

  public AuthorizationPolicy {
    selector = Map.copyOf(selector);
    rules = List.copyOf(rules);
  }

  /** What a matching request gets; CUSTOM delegates to the extension provider. */
  public enum Action { ALLOW, DENY, AUDIT, CUSTOM }

  /** All of {@code from}, {@code to} and {@code when} must match; within each list, any entry. */
  public record Rule(List<Source> from, List<Operation> to, List<Condition> when) {

    public Rule {
      from = List.copyOf(from);
      to = List.copyOf(to);
      when = List.copyOf(when);
    }
  }

  /** Fields are ANDed; values within a field are ORed; {@code not*} fields exclude. */
  public record Source(List<String> principals, List<String> notPrincipals, List<String> requestPrincipals,
      List<String> notRequestPrincipals, List<String> namespaces, List<String> notNamespaces, List<String> ipBlocks,
      List<String> notIpBlocks, List<String> remoteIpBlocks, List<String> notRemoteIpBlocks,
      List<String> serviceAccounts, List<String> notServiceAccounts) {

    public Source {
      principals = List.copyOf(principals);
      notPrincipals = List.copyOf(notPrincipals);
      requestPrincipals = List.copyOf(requestPrincipals);
      notRequestPrincipals = List.copyOf(notRequestPrincipals);
      namespaces = List.copyOf(namespaces);
      notNamespaces = List.copyOf(notNamespaces);
      ipBlocks = List.copyOf(ipBlocks);
      notIpBlocks = List.copyOf(notIpBlocks);
      remoteIpBlocks = List.copyOf(remoteIpBlocks);
      notRemoteIpBlocks = List.copyOf(notRemoteIpBlocks);
      serviceAccounts = List.copyOf(serviceAccounts);
      notServiceAccounts = List.copyOf(notServiceAccounts);
    }
  }

  /** The request operation: fields are ANDed, values within a field ORed, {@code not*} exclude. */
  public record Operation(List<String> hosts, List<String> notHosts, List<String> ports, List<String> notPorts,
      List<String> methods, List<String> notMethods, List<String> paths, List<String> notPaths) {

    public Operation {
      hosts = List.copyOf(hosts);
      notHosts = List.copyOf(notHosts);
      ports = List.copyOf(ports);
      notPorts = List.copyOf(notPorts);
      methods = List.copyOf(methods);
      notMethods = List.copyOf(notMethods);
      paths = List.copyOf(paths);
      notPaths = List.copyOf(notPaths);
    }
  }

  /** An attribute condition, e.g. {@code key: request.headers[version], values: [v1]}. */
  public record Condition(String key, List<String> values, List<String> notValues) {

    public Condition {
      values = List.copyOf(values);
      notValues = List.copyOf(notValues);
    }
  }
}
