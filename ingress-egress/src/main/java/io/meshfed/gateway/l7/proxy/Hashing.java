package io.meshfed.gateway.l7.proxy;

import io.meshfed.gateway.l7.balancing.XxHash64;
import io.meshfed.gateway.l7.routing.HashPolicySpec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The request hash for RING_HASH and MAGLEV from the route's {@code hash_policy} (Istio's {@code consistentHash}):
 * each policy that yields a value is folded in ({@code rotl(h, 1) ^ next}, as Envoy combines them) until a terminal
 * one. A cookie policy with a TTL generates the cookie when the client has none, so its next requests stick.
 */
final class Hashing {

  private Hashing() {
  }

  static Long requestHash(Exchange exchange, List<HashPolicySpec> policies) {
    Long result = null;
    for (HashPolicySpec policy : policies) {
      String value = switch (policy.kind()) {
        case HEADER -> exchange.line.header(policy.name());
        case SOURCE_IP -> exchange.connection.remote().getAddress().getHostAddress();
        case QUERY_PARAMETER -> {
          List<String> values = exchange.line.queryParameter(policy.name());
          yield values.isEmpty() ? null : values.get(0);
        }
        case COOKIE -> cookie(exchange, policy);
      };
      if (value == null) {
        continue;
      }
      long hash = XxHash64.hash(value);
      result = result == null ? hash : Long.rotateLeft(result, 1) ^ hash;
      if (policy.terminal()) {
        break;
      }
    }
    return result;
  }

  private static String cookie(Exchange exchange, HashPolicySpec policy) {
    String header = exchange.request.headers().get(HttpHeaderNames.COOKIE);
    if (header != null) {
      for (Cookie cookie : ServerCookieDecoder.LAX.decode(header)) {
        if (cookie.name().equals(policy.name())) {
          return cookie.value();
        }
      }
    }
    if (policy.cookieTtl() == null) {
      return null;
    }
    String generated = Long.toHexString(ThreadLocalRandom.current().nextLong());
    StringBuilder setCookie = new StringBuilder(policy.name()).append("=\"").append(generated).append('"');
    if (!policy.cookieTtl().isZero()) {
      setCookie.append("; Max-Age=").append(policy.cookieTtl().toSeconds());
    }
    if (!policy.cookiePath().isEmpty()) {
      setCookie.append("; Path=").append(policy.cookiePath());
    }
    setCookie.append("; HttpOnly");
    exchange.generatedCookie(setCookie.toString());
    return generated;
  }
}
