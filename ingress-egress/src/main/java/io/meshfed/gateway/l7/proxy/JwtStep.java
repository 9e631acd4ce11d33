package io.meshfed.gateway.l7.proxy;

import io.meshfed.gateway.l7.security.JwtSpec;
import io.meshfed.gateway.l7.security.JwtVerifier;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code envoy.filters.http.jwt_authn} step (Istio's RequestAuthentication): the first matching rule's
 * requirement is evaluated over the tokens found in each provider's locations. A valid token puts its claims in the
 * request's dynamic metadata — {@code istio_authn.request.auth.principal} ({@code iss/sub}), audiences, presenter,
 * claims — for AuthorizationPolicy's request principals; an invalid one gets 401.
 */
final class JwtStep {

  private enum Status { MISSING, OK, FAILED }

  private record Verdict(Status status, String reason, JsonObject payload, JwtSpec.Provider provider,
                         String token) {
  }

  private JwtStep() {
  }

  /** True to continue with the next filter now; false when replying or waiting for verification. */
  static boolean run(Exchange exchange, JwtSpec spec) {
    JwtSpec.Rule rule = null;
    for (JwtSpec.Rule candidate : spec.rules()) {
      if (candidate.match().matches(exchange.line)) {
        rule = candidate;
        break;
      }
    }
    if (rule == null || rule.requirement() == null) {
      return true;
    }
    List<String> names = new ArrayList<>();
    collect(rule.requirement(), names, spec);
    Map<String, Future<Verdict>> results = new LinkedHashMap<>();
    boolean allComplete = true;
    for (String name : names) {
      JwtSpec.Provider provider = spec.providers().get(name);
      if (provider == null || results.containsKey(name)) {
        continue;
      }
      String token = token(exchange, provider);
      Future<Verdict> verdict;
      if (token == null) {
        verdict = Future.succeededFuture(new Verdict(Status.MISSING, "Jwt is missing", null, provider, null));
      } else {
        verdict = exchange.proxy.jwt().verify(provider, token)
            .map(payload -> new Verdict(Status.OK, "", payload, provider, token))
            .recover(cause -> Future.succeededFuture(new Verdict(Status.FAILED,
                cause instanceof JwtVerifier.JwtFailure ? cause.getMessage() : "Jwt verification fails", null,
                provider, token)));
      }
      allComplete &= verdict.isComplete();
      results.put(name, verdict);
    }
    JwtSpec.Requirement requirement = rule.requirement();
    if (allComplete) {
      return conclude(exchange, requirement, resolved(results));
    }
    // A JWKS fetch is in flight: wait for it off the event loop, then continue on it.
    exchange.downstream.pauseReading();
    Future.join(new ArrayList<>(results.values())).onComplete(ignored -> exchange.loop.execute(() -> {
      if (!exchange.done() && conclude(exchange, requirement, resolved(results))) {
        exchange.resumeOnLoop();
      }
    }));
    return false;
  }

  private static Map<String, Verdict> resolved(Map<String, Future<Verdict>> results) {
    Map<String, Verdict> verdicts = new HashMap<>();
    results.forEach((name, future) -> verdicts.put(name, future.result()));
    return verdicts;
  }

  private static void collect(JwtSpec.Requirement requirement, List<String> names, JwtSpec spec) {
    if (requirement instanceof JwtSpec.Requirement.ProviderName name) {
      names.add(name.name());
    } else if (requirement instanceof JwtSpec.Requirement.Any any) {
      any.requirements().forEach(child -> collect(child, names, spec));
    } else if (requirement instanceof JwtSpec.Requirement.All all) {
      all.requirements().forEach(child -> collect(child, names, spec));
    } else {
      // allow_missing / allow_missing_or_failed consider every provider's tokens.
      names.addAll(spec.providers().keySet());
    }
  }

  private static String token(Exchange exchange, JwtSpec.Provider provider) {
    HttpHeaders headers = exchange.request.headers();
    for (JwtSpec.TokenHeader location : provider.fromHeaders()) {
      String value = headers.get(location.name());
      if (value != null && value.startsWith(location.valuePrefix())) {
        String token = value.substring(location.valuePrefix().length()).trim();
        if (!token.isEmpty()) {
          return token;
        }
      }
    }
    for (String param : provider.fromParams()) {
      List<String> values = exchange.line.queryParameter(param);
      if (!values.isEmpty() && !values.get(0).isEmpty()) {
        return values.get(0);
      }
    }
    return null;
  }

  /** Evaluates the requirement; on success records the claims and continues (true), on failure replies 401. */
  private static boolean conclude(Exchange exchange, JwtSpec.Requirement requirement, Map<String, Verdict> verdicts) {
    String failure = evaluate(requirement, verdicts);
    if (failure != null) {
      HttpHeaders extra = new DefaultHttpHeaders();
      extra.set("www-authenticate", "Bearer realm=\"" + exchange.line.scheme() + "://" + exchange.line.authority()
          + exchange.line.path() + "\", error=\"invalid_token\"");
      exchange.localReply(401, failure, "jwt_authn_access_denied{" + failure.replace(' ', '_') + "}", extra);
      return false;
    }
    for (Verdict verdict : verdicts.values()) {
      if (verdict.status == Status.OK) {
        accepted(exchange, verdict);
      }
    }
    return true;
  }

  /** Null when the requirement is satisfied, else the failure reason. */
  private static String evaluate(JwtSpec.Requirement requirement, Map<String, Verdict> verdicts) {
    if (requirement instanceof JwtSpec.Requirement.ProviderName name) {
      Verdict verdict = verdicts.get(name.name());
      return verdict == null ? "Jwt is missing" : verdict.status == Status.OK ? null : verdict.reason;
    }
    if (requirement instanceof JwtSpec.Requirement.Any any) {
      String firstFailure = null;
      for (JwtSpec.Requirement child : any.requirements()) {
        String result = evaluate(child, verdicts);
        if (result == null) {
          return null;
        }
        if (firstFailure == null || firstFailure.equals("Jwt is missing")) {
          firstFailure = result;
        }
      }
      return firstFailure == null ? "Jwt is missing" : firstFailure;
    }
    if (requirement instanceof JwtSpec.Requirement.All all) {
      for (JwtSpec.Requirement child : all.requirements()) {
        String result = evaluate(child, verdicts);
        if (result != null) {
          return result;
        }
      }
      return null;
    }
    if (requirement instanceof JwtSpec.Requirement.AllowMissing) {
      // Satisfied when no token is present; a present but invalid token still fails.
      for (Verdict verdict : verdicts.values()) {
        if (verdict.status == Status.FAILED) {
          return verdict.reason;
        }
      }
      return null;
    }
    return null;
  }

  private static void accepted(Exchange exchange, Verdict verdict) {
    JwtSpec.Provider provider = verdict.provider;
    JsonObject payload = verdict.payload;
    Map<String, Object> claims = payload.getMap();
    if (!provider.payloadInMetadata().isEmpty()) {
      exchange.metadataNamespace("envoy.filters.http.jwt_authn").put(provider.payloadInMetadata(), claims);
    }
    Map<String, Object> istio = exchange.metadataNamespace("istio_authn");
    String issuer = payload.getString("iss", "");
    String subject = payload.getString("sub", "");
    istio.put("request.auth.principal", issuer + "/" + subject);
    Object audiences = payload.getValue("aud");
    if (audiences instanceof JsonArray array) {
      istio.put("request.auth.audiences", array.getList());
    } else if (audiences != null) {
      istio.put("request.auth.audiences", List.of(String.valueOf(audiences)));
    }
    if (payload.containsKey("azp")) {
      istio.put("request.auth.presenter", payload.getString("azp"));
    }
    Map<String, Object> claimValues = new HashMap<>();
    claims.forEach((key, value) -> claimValues.put(key, value instanceof JsonArray array ? array.getList() : value));
    istio.put("request.auth.claims", claimValues);
    HttpHeaders headers = exchange.request.headers();
    if (!provider.forwardPayloadHeader().isEmpty()) {
      String[] parts = verdict.token.split("\\.");
      if (parts.length >= 2) {
        headers.set(provider.forwardPayloadHeader(), parts[1]);
      }
    }
    provider.claimToHeaders().forEach((claim, header) -> {
      Object value = payload.getValue(claim);
      if (value instanceof String || value instanceof Number || value instanceof Boolean) {
        headers.set(header, String.valueOf(value));
      }
    });
    if (!provider.forward()) {
      for (JwtSpec.TokenHeader location : provider.fromHeaders()) {
        headers.remove(location.name());
      }
    }
  }
}
