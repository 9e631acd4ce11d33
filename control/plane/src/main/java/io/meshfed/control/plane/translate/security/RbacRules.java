package io.meshfed.control.plane.translate.security;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ListMatcher;
import io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher;
import io.envoyproxy.envoy.type.matcher.v3.PathMatcher;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ValueMatcher;
import io.meshfed.control.plane.istio.AuthorizationPolicy;
import io.meshfed.control.plane.istio.AuthorizationPolicy.Condition;
import io.meshfed.control.plane.istio.AuthorizationPolicy.Operation;
import io.meshfed.control.plane.istio.AuthorizationPolicy.Rule;
import io.meshfed.control.plane.istio.AuthorizationPolicy.Source;
import io.meshfed.control.plane.translate.TranslationProblem.Kind;
import io.meshfed.control.plane.translate.model.Problems;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.regex.Pattern;

/**
 * One AuthorizationPolicy rule → one Envoy RBAC {@link Policy}, as Istio's authorization builder does: the
 * permissions are the AND of the {@code to} operations (any of them) and the destination-side conditions; the
 * principals the AND of the {@code from} sources (any of them) and the source-side conditions. Values within a field
 * are ORed, {@code not*} fields negate, {@code *}, {@code prefix*} and {@code *suffix} are Istio's wildcards.
 *
 * <p>Connection-level (L4) translation, for the east-west gateway's network RBAC: HTTP-only fields cannot be seen.
 * As Istio does for TCP workloads, an ALLOW rule that needs them never matches (it is dropped), and a DENY rule is
 * applied without them (it denies more, never less). Workload ports are evaluated at translation time.
 */
final class RbacRules {

  /** The metadata namespace Istio's authentication writes request principals and claims to. */
  static final String AUTHN_METADATA = "istio_authn";
  private static final Set<String> HTTP_CONDITION_PREFIXES = Set.of("request.");

  /** Where a rule is translated. */
  record Context(AuthorizationPolicy policy, List<String> trustDomains, boolean l4Only, IntPredicate portMatches,
      Problems problems) {
  }

  private RbacRules() {
  }

  /** The policy for rule {@code index}, or empty when it cannot match here. */
  static Optional<Policy> rule(Rule rule, int index, Context ctx) {
    String path = "spec.rules[" + index + "]";
    boolean deny = ctx.policy().action() == AuthorizationPolicy.Action.DENY;
    boolean httpOnly = ctx.l4Only() && usesHttpFields(rule);
    if (httpOnly && !deny) {
      ctx.problems().report(Kind.UNSUPPORTED, ctx.policy(), path, "uses request fields (hosts, methods, paths, "
          + "requestPrincipals or request.* conditions) that a connection-level check cannot see; as Istio does for"
          + " TCP traffic, this ALLOW rule never matches here", "use principals, namespaces, ipBlocks and ports for"
          + " services reached through the east-west gateway in terminate mode");
      return Optional.empty();
    }
    List<Permission> permissionParts = new ArrayList<>();
    if (!rule.to().isEmpty()) {
      List<Permission> operations = new ArrayList<>();
      for (int i = 0; i < rule.to().size(); i++) {
        Optional<Permission> op = operation(rule.to().get(i), ctx);
        if (op.isPresent()) {
          operations.add(op.get());
        }
      }
      if (operations.isEmpty()) {
        return Optional.empty(); // every operation is for other ports: the rule cannot match here
      }
      permissionParts.add(or(operations));
    }
    List<Principal> principalParts = new ArrayList<>();
    if (!rule.from().isEmpty()) {
      List<Principal> sources = new ArrayList<>();
      for (Source source : rule.from()) {
        sources.add(source(source, ctx));
      }
      principalParts.add(orIds(sources));
    }
    for (int i = 0; i < rule.when().size(); i++) {
      Condition condition = rule.when().get(i);
      if (ctx.l4Only() && isHttpCondition(condition.key())) {
        continue; // DENY only (ALLOW returned above): applied without it
      }
      if (!condition(condition, path + ".when[" + i + "]", permissionParts, principalParts, ctx)) {
        return Optional.empty();
      }
    }
    Policy.Builder policy = Policy.newBuilder();
    policy.addPermissions(permissionParts.isEmpty() ? Permission.newBuilder().setAny(true).build()
        : and(permissionParts));
    policy.addPrincipals(principalParts.isEmpty() ? Principal.newBuilder().setAny(true).build()
        : andIds(principalParts));
    return Optional.of(policy.build());
  }

  private static boolean usesHttpFields(Rule rule) {
    for (Operation op : rule.to()) {
      if (!op.hosts().isEmpty() || !op.notHosts().isEmpty() || !op.methods().isEmpty() || !op.notMethods().isEmpty()
          || !op.paths().isEmpty() || !op.notPaths().isEmpty()) {
        return true;
      }
    }
    for (Source source : rule.from()) {
      if (!source.requestPrincipals().isEmpty() || !source.notRequestPrincipals().isEmpty()) {
        return true;
      }
    }
    return rule.when().stream().anyMatch(c -> isHttpCondition(c.key()));
  }

  private static boolean isHttpCondition(String key) {
    return HTTP_CONDITION_PREFIXES.stream().anyMatch(key::startsWith);
  }

  private static Optional<Permission> operation(Operation op, Context ctx) {
    List<Permission> parts = new ArrayList<>();
    if (!op.ports().isEmpty() || !op.notPorts().isEmpty()) {
      if (ctx.l4Only()) {
        boolean in = op.ports().isEmpty() || op.ports().stream().anyMatch(p -> ctx.portMatches().test(port(p)));
        boolean out = op.notPorts().stream().anyMatch(p -> ctx.portMatches().test(port(p)));
        if (!in || out) {
          return Optional.empty();
        }
      } else {
        if (!op.ports().isEmpty()) {
          parts.add(or(op.ports().stream().map(p -> Permission.newBuilder().setDestinationPort(port(p)).build())
              .toList()));
        }
        if (!op.notPorts().isEmpty()) {
          parts.add(not(or(op.notPorts().stream().map(p -> Permission.newBuilder().setDestinationPort(port(p))
              .build()).toList())));
        }
      }
    }
    if (!ctx.l4Only()) {
      addValues(parts, op.hosts(), op.notHosts(), RbacRules::host);
      addValues(parts, op.methods(), op.notMethods(), m -> Permission.newBuilder().setHeader(HeaderMatcher
          .newBuilder().setName(":method").setStringMatch(StringMatcher.newBuilder().setExact(m))).build());
      addValues(parts, op.paths(), op.notPaths(), p -> Permission.newBuilder().setUrlPath(PathMatcher.newBuilder()
          .setPath(wildcard(p, false))).build());
    }
    return Optional.of(parts.isEmpty() ? Permission.newBuilder().setAny(true).build() : and(parts));
  }

  private static void addValues(List<Permission> parts, List<String> values, List<String> notValues,
      Function<String, Permission> one) {
    if (!values.isEmpty()) {
      parts.add(or(values.stream().map(one).toList()));
    }
    if (!notValues.isEmpty()) {
      parts.add(not(or(notValues.stream().map(one).toList())));
    }
  }

  private static Permission host(String host) {
    // Istio matches hosts case-insensitively against :authority.
    StringMatcher matcher = wildcard(host, true);
    return Permission.newBuilder().setHeader(HeaderMatcher.newBuilder().setName(":authority")
        .setStringMatch(matcher)).build();
  }

  private static Principal source(Source source, Context ctx) {
    List<Principal> parts = new ArrayList<>();
    addIds(parts, source.principals(), source.notPrincipals(), p -> principals(p, ctx));
    if (!ctx.l4Only()) {
      addIds(parts, source.requestPrincipals(), source.notRequestPrincipals(),
          p -> metadata("request.auth.principal", wildcard(p, false), false));
    }
    addIds(parts, source.namespaces(), source.notNamespaces(), RbacRules::namespace);
    addIds(parts, source.serviceAccounts(), source.notServiceAccounts(), sa -> serviceAccount(sa, ctx));
    addIds(parts, source.ipBlocks(), source.notIpBlocks(), ip -> Principal.newBuilder().setDirectRemoteIp(cidr(ip))
        .build());
    addIds(parts, source.remoteIpBlocks(), source.notRemoteIpBlocks(), ip -> Principal.newBuilder()
        .setRemoteIp(cidr(ip)).build());
    return parts.isEmpty() ? Principal.newBuilder().setAny(true).build() : andIds(parts);
  }

  private static void addIds(List<Principal> parts, List<String> values, List<String> notValues,
      Function<String, Principal> one) {
    if (!values.isEmpty()) {
      parts.add(orIds(values.stream().map(one).toList()));
    }
    if (!notValues.isEmpty()) {
      parts.add(notId(orIds(notValues.stream().map(one).toList())));
    }
  }

  /**
   * A principal {@code <trust domain>/ns/<ns>/sa/<sa>} as a SPIFFE ID, once per trust domain when it names this
   * mesh's (Istio's trust-domain aliases: a policy written for {@code cluster.local} also admits the aliases).
   */
  private static Principal principals(String principal, Context ctx) {
    if (principal.equals("*")) {
      return authenticated(StringMatcher.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex(".+"))
          .build());
    }
    Set<String> variants = new LinkedHashSet<>();
    variants.add(principal);
    int slash = principal.indexOf('/');
    if (slash > 0 && ctx.trustDomains().contains(principal.substring(0, slash))) {
      for (String domain : ctx.trustDomains()) {
        variants.add(domain + principal.substring(slash));
      }
    }
    List<Principal> out = new ArrayList<>();
    for (String p : variants) {
      out.add(authenticated(spiffe(p)));
    }
    return orIds(out);
  }

  private static StringMatcher spiffe(String principal) {
    if (principal.startsWith("*")) {
      return StringMatcher.newBuilder().setSuffix(principal.substring(1)).build();
    }
    if (principal.endsWith("*")) {
      return StringMatcher.newBuilder().setPrefix("spiffe://" + principal.substring(0, principal.length() - 1))
          .build();
    }
    return StringMatcher.newBuilder().setExact("spiffe://" + principal).build();
  }

  /** Istio: a namespace matches the {@code /ns/<namespace>/} part of the peer's SPIFFE ID. */
  private static Principal namespace(String namespace) {
    String regex;
    if (namespace.equals("*")) {
      regex = "spiffe://[^/]+/ns/[^/]+/.*";
    } else if (namespace.startsWith("*")) {
      regex = "spiffe://[^/]+/ns/[^/]*" + Pattern.quote(namespace.substring(1)) + "/.*";
    } else if (namespace.endsWith("*")) {
      regex = "spiffe://[^/]+/ns/" + Pattern.quote(namespace.substring(0, namespace.length() - 1)) + "[^/]*/.*";
    } else {
      regex = "spiffe://[^/]+/ns/" + Pattern.quote(namespace) + "/.*";
    }
    return authenticated(StringMatcher.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex(regex))
        .build());
  }

  /** {@code serviceAccounts: [ns/sa]}: the SPIFFE IDs of that account in every trust domain of the mesh. */
  private static Principal serviceAccount(String serviceAccount, Context ctx) {
    String[] parts = serviceAccount.split("/", 2);
    String ns = parts.length == 2 ? parts[0] : ctx.policy().meta().namespace();
    String sa = parts.length == 2 ? parts[1] : parts[0];
    List<Principal> out = new ArrayList<>();
    for (String domain : ctx.trustDomains()) {
      out.add(authenticated(StringMatcher.newBuilder().setExact("spiffe://" + domain + "/ns/" + ns + "/sa/" + sa)
          .build()));
    }
    return orIds(out);
  }

  private static Principal authenticated(StringMatcher matcher) {
    return Principal.newBuilder().setAuthenticated(Principal.Authenticated.newBuilder().setPrincipalName(matcher))
        .build();
  }

  private static boolean condition(Condition condition, String path, List<Permission> permissions,
      List<Principal> principals, Context ctx) {
    String key = condition.key();
    if (key.startsWith("request.headers[") && key.endsWith("]")) {
      String header = key.substring("request.headers[".length(), key.length() - 1).toLowerCase(java.util.Locale.ROOT);
      addIds(principals, condition.values(), condition.notValues(), v -> Principal.newBuilder()
          .setHeader(HeaderMatcher.newBuilder().setName(header).setStringMatch(wildcard(v, false))).build());
      return true;
    }
    if (key.startsWith("request.auth.claims[") && key.endsWith("]")) {
      String claim = key.substring("request.auth.claims[".length(), key.length() - 1);
      addIds(principals, condition.values(), condition.notValues(), v -> claim(claim, v));
      return true;
    }
    switch (key) {
      case "source.ip" -> addIds(principals, condition.values(), condition.notValues(),
          v -> Principal.newBuilder().setDirectRemoteIp(cidr(v)).build());
      case "remote.ip" -> addIds(principals, condition.values(), condition.notValues(),
          v -> Principal.newBuilder().setRemoteIp(cidr(v)).build());
      case "source.namespace" -> addIds(principals, condition.values(), condition.notValues(), RbacRules::namespace);
      case "source.principal" -> addIds(principals, condition.values(), condition.notValues(),
          v -> principals(v, ctx));
      case "request.auth.principal" -> addIds(principals, condition.values(), condition.notValues(),
          v -> metadata("request.auth.principal", wildcard(v, false), false));
      case "request.auth.audiences" -> addIds(principals, condition.values(), condition.notValues(),
          v -> metadata("request.auth.audiences", wildcard(v, false), true));
      case "request.auth.presenter" -> addIds(principals, condition.values(), condition.notValues(),
          v -> metadata("request.auth.presenter", wildcard(v, false), false));
      case "destination.ip" -> addValues(permissions, condition.values(), condition.notValues(),
          v -> Permission.newBuilder().setDestinationIp(cidr(v)).build());
      case "destination.port" -> {
        if (ctx.l4Only()) {
          boolean in = condition.values().isEmpty()
              || condition.values().stream().anyMatch(v -> ctx.portMatches().test(port(v)));
          boolean out = condition.notValues().stream().anyMatch(v -> ctx.portMatches().test(port(v)));
          return in && !out;
        }
        addValues(permissions, condition.values(), condition.notValues(),
            v -> Permission.newBuilder().setDestinationPort(port(v)).build());
      }
      case "connection.sni" -> addValues(permissions, condition.values(), condition.notValues(),
          v -> Permission.newBuilder().setRequestedServerName(wildcard(v, false)).build());
      default -> {
        ctx.problems().report(Kind.UNSUPPORTED, ctx.policy(), path + ".key", "\"" + key + "\" is not a condition"
            + " meshfed implements; the rule is left out, so it never matches (an ALLOW rule admits nothing, a DENY"
            + " rule denies nothing)", "use request.headers[], source.ip, remote.ip, source.namespace, "
            + "source.principal, request.auth.principal|audiences|presenter|claims[], destination.ip|port, "
            + "connection.sni");
        return false;
      }
    }
    return true;
  }

  private static Principal claim(String claim, String value) {
    // Nested claims are written a.b (Istio: request.auth.claims[a][b] or [a.b]); the path follows them.
    MetadataMatcher.Builder matcher = MetadataMatcher.newBuilder().setFilter(AUTHN_METADATA)
        .addPath(MetadataMatcher.PathSegment.newBuilder().setKey("request.auth.claims"));
    for (String part : claim.replace("][", ".").split("\\.")) {
      matcher.addPath(MetadataMatcher.PathSegment.newBuilder().setKey(part));
    }
    matcher.setValue(ValueMatcher.newBuilder().setListMatch(ListMatcher.newBuilder().setOneOf(ValueMatcher
        .newBuilder().setStringMatch(wildcard(value, false)))));
    return Principal.newBuilder().setMetadata(matcher).build();
  }

  private static Principal metadata(String key, StringMatcher value, boolean list) {
    ValueMatcher matcher = list
        ? ValueMatcher.newBuilder().setListMatch(ListMatcher.newBuilder().setOneOf(ValueMatcher.newBuilder()
            .setStringMatch(value))).build()
        : ValueMatcher.newBuilder().setStringMatch(value).build();
    return Principal.newBuilder().setMetadata(MetadataMatcher.newBuilder().setFilter(AUTHN_METADATA)
        .addPath(MetadataMatcher.PathSegment.newBuilder().setKey(key)).setValue(matcher)).build();
  }

  /** Istio's value wildcards: {@code *} any (present), {@code prefix*}, {@code *suffix}, else exact. */
  static StringMatcher wildcard(String value, boolean ignoreCase) {
    StringMatcher.Builder out = StringMatcher.newBuilder().setIgnoreCase(ignoreCase);
    if (value.equals("*")) {
      out.setSafeRegex(RegexMatcher.newBuilder().setRegex(".+"));
      out.setIgnoreCase(false);
    } else if (value.startsWith("*")) {
      out.setSuffix(value.substring(1));
    } else if (value.endsWith("*")) {
      out.setPrefix(value.substring(0, value.length() - 1));
    } else {
      out.setExact(value);
    }
    return out.build();
  }

  private static int port(String port) {
    try {
      return Integer.parseInt(port.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static CidrRange cidr(String block) {
    String address = block;
    int length = block.contains(":") ? 128 : 32;
    int slash = block.indexOf('/');
    if (slash > 0) {
      address = block.substring(0, slash);
      length = Integer.parseInt(block.substring(slash + 1));
    }
    return CidrRange.newBuilder().setAddressPrefix(address).setPrefixLen(UInt32Value.of(length)).build();
  }

  private static Permission and(List<Permission> parts) {
    return parts.size() == 1 ? parts.get(0)
        : Permission.newBuilder().setAndRules(Permission.Set.newBuilder().addAllRules(parts)).build();
  }

  private static Permission or(List<Permission> parts) {
    return parts.size() == 1 ? parts.get(0)
        : Permission.newBuilder().setOrRules(Permission.Set.newBuilder().addAllRules(parts)).build();
  }

  private static Permission not(Permission inner) {
    return Permission.newBuilder().setNotRule(inner).build();
  }

  private static Principal andIds(List<Principal> parts) {
    return parts.size() == 1 ? parts.get(0)
        : Principal.newBuilder().setAndIds(Principal.Set.newBuilder().addAllIds(parts)).build();
  }

  private static Principal orIds(List<Principal> parts) {
    return parts.size() == 1 ? parts.get(0)
        : Principal.newBuilder().setOrIds(Principal.Set.newBuilder().addAllIds(parts)).build();
  }

  private static Principal notId(Principal inner) {
    return Principal.newBuilder().setNotId(inner).build();
  }
}
