package io.meshfed.gateway.eastwest.config;

import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.meshfed.gateway.eastwest.matcher.StringMatch;
import io.meshfed.gateway.eastwest.rbac.RbacPolicy;
import io.netty.util.NetUtil;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code envoy.filters.network.rbac}: the connection-level rules Istio compiles from PeerAuthentication and
 * AuthorizationPolicy (principals, namespaces as principal regexes, source IPs, ports, SNI). HTTP-only rules (headers,
 * paths, methods) cannot be evaluated on a connection and are refused, as Envoy's network filter refuses them.
 */
final class RbacTranslator {

  private RbacTranslator() {
  }

  static RbacPolicy translate(io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC filter, Scope scope) {
    int before = scope.problemCount();
    scope.allowOnly(filter, Set.of("rules", "stat_prefix"));
    if (!filter.hasRules()) {
      // Envoy: no rules, no enforcement.
      return new RbacPolicy(RbacPolicy.Action.DENY, Map.of());
    }
    RBAC rules = filter.getRules();
    Scope at = scope.field("rules");
    at.allowOnly(rules, Set.of("action", "policies"));
    RbacPolicy.Action action = switch (rules.getAction()) {
      case ALLOW -> RbacPolicy.Action.ALLOW;
      case DENY -> RbacPolicy.Action.DENY;
      default -> {
        at.field("action").error(rules.getAction() + " (expected: ALLOW or DENY; AUDIT and CUSTOM policies are"
            + " " + Scope.UNSUPPORTED + ")");
        yield null;
      }
    };
    Map<String, RbacPolicy.Policy> policies = new LinkedHashMap<>();
    // Policies are a map: evaluate in name order so the matched policy reported is deterministic.
    for (String name : new java.util.TreeSet<>(rules.getPoliciesMap().keySet())) {
      Policy policy = rules.getPoliciesMap().get(name);
      Scope policyScope = at.field("policies[" + name + "]");
      policyScope.allowOnly(policy, Set.of("permissions", "principals"));
      List<io.meshfed.gateway.eastwest.rbac.Permission> permissions = new ArrayList<>();
      for (int i = 0; i < policy.getPermissionsCount(); i++) {
        var permission = permission(policy.getPermissions(i), policyScope.index("permissions", i));
        if (permission != null) {
          permissions.add(permission);
        }
      }
      List<io.meshfed.gateway.eastwest.rbac.Principal> principals = new ArrayList<>();
      for (int i = 0; i < policy.getPrincipalsCount(); i++) {
        var principal = principal(policy.getPrincipals(i), policyScope.index("principals", i));
        if (principal != null) {
          principals.add(principal);
        }
      }
      policies.put(name, new RbacPolicy.Policy(permissions, principals));
    }
    return scope.problemCount() == before ? new RbacPolicy(action, policies) : null;
  }

  private static io.meshfed.gateway.eastwest.rbac.Permission permission(Permission permission, Scope scope) {
    return switch (permission.getRuleCase()) {
      case ANY -> new io.meshfed.gateway.eastwest.rbac.Permission.Any();
      case DESTINATION_PORT -> new io.meshfed.gateway.eastwest.rbac.Permission.DestinationPort(
          permission.getDestinationPort());
      case REQUESTED_SERVER_NAME -> {
        StringMatch match = Matchers.string(permission.getRequestedServerName(), scope.field("requested_server_name"));
        yield match == null ? null : new io.meshfed.gateway.eastwest.rbac.Permission.RequestedServerName(match);
      }
      case AND_RULES -> new io.meshfed.gateway.eastwest.rbac.Permission.And(
          permissions(permission.getAndRules().getRulesList(), scope.field("and_rules")));
      case OR_RULES -> new io.meshfed.gateway.eastwest.rbac.Permission.Or(
          permissions(permission.getOrRules().getRulesList(), scope.field("or_rules")));
      case NOT_RULE -> {
        var inner = permission(permission.getNotRule(), scope.field("not_rule"));
        yield inner == null ? null : new io.meshfed.gateway.eastwest.rbac.Permission.Not(inner);
      }
      default -> {
        scope.error(permission.getRuleCase().name().toLowerCase() + " (" + Scope.UNSUPPORTED
            + "; a connection-level RBAC rule cannot see it)");
        yield null;
      }
    };
  }

  private static List<io.meshfed.gateway.eastwest.rbac.Permission> permissions(List<Permission> rules, Scope scope) {
    List<io.meshfed.gateway.eastwest.rbac.Permission> translated = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      var rule = permission(rules.get(i), scope.index("rules", i));
      if (rule != null) {
        translated.add(rule);
      }
    }
    return translated;
  }

  private static io.meshfed.gateway.eastwest.rbac.Principal principal(Principal principal, Scope scope) {
    return switch (principal.getIdentifierCase()) {
      case ANY -> new io.meshfed.gateway.eastwest.rbac.Principal.Any();
      case AUTHENTICATED -> {
        Scope at = scope.field("authenticated");
        at.allowOnly(principal.getAuthenticated(), Set.of("principal_name"));
        if (!principal.getAuthenticated().hasPrincipalName()) {
          yield new io.meshfed.gateway.eastwest.rbac.Principal.Authenticated(null);
        }
        StringMatch match = Matchers.string(principal.getAuthenticated().getPrincipalName(),
            at.field("principal_name"));
        yield match == null ? null : new io.meshfed.gateway.eastwest.rbac.Principal.Authenticated(match);
      }
      case SOURCE_IP -> cidr(principal.getSourceIp(), scope.field("source_ip"));
      case DIRECT_REMOTE_IP -> cidr(principal.getDirectRemoteIp(), scope.field("direct_remote_ip"));
      case REMOTE_IP -> cidr(principal.getRemoteIp(), scope.field("remote_ip"));
      case AND_IDS -> new io.meshfed.gateway.eastwest.rbac.Principal.And(
          principals(principal.getAndIds().getIdsList(), scope.field("and_ids")));
      case OR_IDS -> new io.meshfed.gateway.eastwest.rbac.Principal.Or(
          principals(principal.getOrIds().getIdsList(), scope.field("or_ids")));
      case NOT_ID -> {
        var inner = principal(principal.getNotId(), scope.field("not_id"));
        yield inner == null ? null : new io.meshfed.gateway.eastwest.rbac.Principal.Not(inner);
      }
      default -> {
        scope.error(principal.getIdentifierCase().name().toLowerCase() + " (" + Scope.UNSUPPORTED
            + "; a connection-level RBAC rule cannot see it)");
        yield null;
      }
    };
  }

  private static List<io.meshfed.gateway.eastwest.rbac.Principal> principals(List<Principal> ids, Scope scope) {
    List<io.meshfed.gateway.eastwest.rbac.Principal> translated = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      var id = principal(ids.get(i), scope.index("ids", i));
      if (id != null) {
        translated.add(id);
      }
    }
    return translated;
  }

  private static io.meshfed.gateway.eastwest.rbac.Principal cidr(CidrRange range, Scope scope) {
    byte[] prefix = NetUtil.createByteArrayFromIpAddressString(range.getAddressPrefix());
    int length = range.hasPrefixLen() ? range.getPrefixLen().getValue() : (prefix == null ? 0 : prefix.length * 8);
    if (prefix == null) {
      scope.field("address_prefix").error(range.getAddressPrefix() + " (expected: an IPv4 or IPv6 address)");
      return null;
    }
    if (length < 0 || length > prefix.length * 8) {
      scope.field("prefix_len").error(length + " (expected: 0.." + prefix.length * 8 + ")");
      return null;
    }
    return new io.meshfed.gateway.eastwest.rbac.Principal.SourceIp(prefix, length);
  }
}
