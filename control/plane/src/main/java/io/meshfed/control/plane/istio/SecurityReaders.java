package io.meshfed.control.plane.istio;

import static io.meshfed.control.plane.istio.MessageType.UNSUPPORTED_FIELD;

import io.meshfed.control.plane.istio.AuthorizationPolicy.Action;
import io.meshfed.control.plane.istio.AuthorizationPolicy.Condition;
import io.meshfed.control.plane.istio.AuthorizationPolicy.Operation;
import io.meshfed.control.plane.istio.AuthorizationPolicy.Rule;
import io.meshfed.control.plane.istio.AuthorizationPolicy.Source;
import io.meshfed.control.plane.istio.PeerAuthentication.MtlsMode;
import io.meshfed.control.plane.istio.RequestAuthentication.ClaimToHeader;
import io.meshfed.control.plane.istio.RequestAuthentication.JwtHeader;
import io.meshfed.control.plane.istio.RequestAuthentication.JwtRule;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Readers for the security.istio.io kinds, following Istio's validation rules. */
final class SecurityReaders {

  private SecurityReaders() {
  }

  static PeerAuthentication peerAuthentication(FieldReader spec, ResourceMeta meta) {
    Map<String, String> selector = CommonReaders.selector(spec);
    MtlsMode mode = spec.object("mtls", m -> m.enumValue("mode", MtlsMode.class).orElse(MtlsMode.UNSET))
        .orElse(MtlsMode.UNSET);
    Map<Integer, MtlsMode> ports = new LinkedHashMap<>();
    spec.map("portLevelMtls", m -> m.enumValue("mode", MtlsMode.class).orElse(MtlsMode.UNSET))
        .forEach((port, portMode) -> {
          try {
            int number = Integer.parseInt(port);
            if (number < 1 || number > 65535) {
              throw new NumberFormatException(port);
            }
            ports.put(number, portMode);
          } catch (NumberFormatException e) {
            spec.invalid("portLevelMtls." + port, null, "a port number 1..65535 as the key", "fix the port");
          }
        });
    if (selector.isEmpty() && spec.has("portLevelMtls")) {
      spec.invalidHere("portLevelMtls on a mesh- or namespace-wide policy (expected: a selector)",
          "add selector.matchLabels, or move the port settings to a workload policy");
    }
    spec.objectValue("portLevelMtls").filter(m -> m.fields().isEmpty())
        .ifPresent(m -> spec.invalidHere("empty portLevelMtls (expected: at least one port)", "remove it"));
    return new PeerAuthentication(meta, selector, mode, ports);
  }

  static AuthorizationPolicy authorizationPolicy(FieldReader spec, ResourceMeta meta) {
    Map<String, String> selector = CommonReaders.selector(spec);
    Action action = spec.enumValue("action", Action.class).orElse(Action.ALLOW);
    Optional<String> provider = spec.object("provider", p -> p.requiredString("name"));
    List<Rule> rules = spec.list("rules", SecurityReaders::rule);
    spec.unsupported("targetRef", UNSUPPORTED_FIELD, "attaching policies to Gateway API objects is not "
        + "implemented; use selector");
    spec.unsupported("targetRefs", UNSUPPORTED_FIELD, "attaching policies to Gateway API objects is not "
        + "implemented; use selector");
    if (action == Action.CUSTOM && spec.has("rules") && provider.filter(p -> !p.isEmpty()).isEmpty()) {
      spec.missing("provider", "provider.name for a CUSTOM policy");
    }
    if (action == Action.CUSTOM && !spec.has("rules")) {
      spec.invalidHere("CUSTOM without rules never applies (expected: rules; use [{}] to match everything)",
          "add rules: [{}]");
    }
    if (action != Action.CUSTOM && spec.has("provider")) {
      spec.invalidHere("provider on a " + action + " policy (expected: only with action CUSTOM)", "remove provider");
    }
    if (action == Action.DENY && !spec.has("rules")) {
      spec.invalidHere("DENY without rules never applies (expected: rules; use [{}] to deny everything)",
          "add rules: [{}]");
    }
    return new AuthorizationPolicy(meta, selector, action, provider, rules);
  }

  private static Rule rule(FieldReader r) {
    List<Source> from = r.list("from", f -> f.object("source", SecurityReaders::source).orElseGet(() -> {
      f.missing("source", "a source");
      return null;
    }));
    List<Operation> to = r.list("to", t -> t.object("operation", SecurityReaders::operation).orElseGet(() -> {
      t.missing("operation", "an operation");
      return null;
    }));
    List<Condition> when = r.list("when", c -> {
      String key = c.requiredString("key");
      List<String> values = c.stringList("values");
      List<String> notValues = c.stringList("notValues");
      if (values.isEmpty() && notValues.isEmpty()) {
        c.invalidHere("condition on " + key + " without values (expected: values or notValues)", "add values");
      }
      return new Condition(key, values, notValues);
    });
    if (r.has("from") && from.isEmpty() || r.has("to") && to.isEmpty()) {
      r.invalidHere("empty from or to (expected: at least one entry, or leave the field out)", "remove it");
    }
    return new Rule(from, to, when);
  }

  private static Source source(FieldReader s) {
    Source source = new Source(s.stringList("principals"), s.stringList("notPrincipals"),
        s.stringList("requestPrincipals"), s.stringList("notRequestPrincipals"), s.stringList("namespaces"),
        s.stringList("notNamespaces"), s.stringList("ipBlocks"), s.stringList("notIpBlocks"),
        s.stringList("remoteIpBlocks"), s.stringList("notRemoteIpBlocks"), s.stringList("serviceAccounts"),
        s.stringList("notServiceAccounts"));
    boolean identities = !source.principals().isEmpty() || !source.notPrincipals().isEmpty()
        || !source.namespaces().isEmpty() || !source.notNamespaces().isEmpty();
    if (identities && (!source.serviceAccounts().isEmpty() || !source.notServiceAccounts().isEmpty())) {
      s.invalidHere("serviceAccounts with principals or namespaces (expected: one way of naming identities)",
          "use principals or serviceAccounts");
    }
    boolean empty = List.of(source.principals(), source.notPrincipals(), source.requestPrincipals(),
        source.notRequestPrincipals(), source.namespaces(), source.notNamespaces(), source.ipBlocks(),
        source.notIpBlocks(), source.remoteIpBlocks(), source.notRemoteIpBlocks(), source.serviceAccounts(),
        source.notServiceAccounts()).stream().allMatch(List::isEmpty);
    if (empty) {
      s.invalidHere("empty source (expected: at least one field)", "add principals, namespaces or ipBlocks");
    }
    return source;
  }

  private static Operation operation(FieldReader o) {
    Operation operation = new Operation(o.stringList("hosts"), o.stringList("notHosts"), o.stringList("ports"),
        o.stringList("notPorts"), o.stringList("methods"), o.stringList("notMethods"), o.stringList("paths"),
        o.stringList("notPaths"));
    for (String port : operation.ports()) {
      checkPort(o, "ports", port);
    }
    for (String port : operation.notPorts()) {
      checkPort(o, "notPorts", port);
    }
    boolean empty = List.of(operation.hosts(), operation.notHosts(), operation.ports(), operation.notPorts(),
        operation.methods(), operation.notMethods(), operation.paths(), operation.notPaths()).stream()
        .allMatch(List::isEmpty);
    if (empty) {
      o.invalidHere("empty operation (expected: at least one field)", "add paths, methods, ports or hosts");
    }
    return operation;
  }

  private static void checkPort(FieldReader o, String field, String port) {
    try {
      int number = Integer.parseInt(port);
      if (number < 1 || number > 65535) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      o.invalid(field, new ScalarValue(port, o.position()), "a port number 1..65535 as a string", "fix the port");
    }
  }

  static RequestAuthentication requestAuthentication(FieldReader spec, ResourceMeta meta) {
    Map<String, String> selector = CommonReaders.selector(spec);
    List<JwtRule> rules = spec.list("jwtRules", SecurityReaders::jwtRule);
    spec.unsupported("targetRef", UNSUPPORTED_FIELD, "attaching policies to Gateway API objects is not "
        + "implemented; use selector");
    spec.unsupported("targetRefs", UNSUPPORTED_FIELD, "attaching policies to Gateway API objects is not "
        + "implemented; use selector");
    return new RequestAuthentication(meta, selector, rules);
  }

  private static JwtRule jwtRule(FieldReader r) {
    Optional<String> issuer = r.string("issuer");
    List<String> audiences = r.stringList("audiences");
    Optional<String> jwksUri = r.string("jwksUri");
    Optional<String> jwks = r.string("jwks");
    List<JwtHeader> headers = r.list("fromHeaders", h -> new JwtHeader(h.requiredString("name"), h.string("prefix")));
    List<String> params = r.stringList("fromParams");
    List<String> cookies = r.stringList("fromCookies");
    Optional<String> payloadHeader = r.string("outputPayloadToHeader");
    boolean forward = r.bool("forwardOriginalToken").orElse(false);
    List<ClaimToHeader> claims = r.list("outputClaimToHeaders",
        c -> new ClaimToHeader(c.requiredString("header"), c.requiredString("claim")));
    Optional<Duration> timeout = r.duration("timeout");
    r.unsupported("spaceDelimitedClaims", UNSUPPORTED_FIELD, "claims are matched as single strings only");
    if (issuer.filter(i -> !i.isEmpty()).isEmpty() && jwksUri.filter(u -> !u.isEmpty()).isEmpty()) {
      r.invalidHere("neither issuer nor jwksUri (expected: at least one)", "set issuer");
    }
    jwksUri.filter(u -> !u.startsWith("https://") && !u.startsWith("http://")).ifPresent(u -> r.invalid("jwksUri",
        new ScalarValue(u, r.position()), "an http(s) URL", "use the issuer's JWKS URL"));
    for (String audience : audiences) {
      if (audience.isEmpty()) {
        r.invalid("audiences", new ScalarValue("", r.position()), "non-empty audiences", "remove the empty one");
      }
    }
    return new JwtRule(issuer.orElse(""), audiences, jwksUri, jwks, headers, params, cookies, payloadHeader, forward,
        claims, timeout);
  }
}
