package io.meshfed.gateway.l7.security;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies JWTs for RequestAuthentication: signature against the provider's JWKS (inline, or fetched from
 * {@code remote_jwks} and cached for {@code cache_duration}), expiry and not-before (vertx-auth-jwt), then issuer and
 * audiences as jwt_authn checks them. Thread safe; a fetch in flight is shared by all requests that need it.
 */
public final class JwtVerifier {

  /** Why a token was refused; the message becomes the 401 body, as jwt_authn's do. */
  public static final class JwtFailure extends Exception {
    private static final long serialVersionUID = 1L;

    /** With jwt_authn's wording ({@code Jwt verification fails}, {@code Jwt issuer is not configured}, ...). */
    public JwtFailure(String message) {
      super(message, null, false, false);
    }
  }

  private record Keys(JWTAuth auth, long expiresAtNanos) {
  }

  private final Vertx vertx;
  private final ConcurrentHashMap<String, Future<Keys>> keys = new ConcurrentHashMap<>();
  private volatile HttpClient client;

  /** A verifier fetching remote JWKS with {@code vertx}. */
  public JwtVerifier(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Verifies {@code token} for {@code provider}; the future carries the payload. Usually already complete. */
  public Future<JsonObject> verify(JwtSpec.Provider provider, String token) {
    return keysFor(provider).compose(found -> found.auth.authenticate(new TokenCredentials(token))
        .recover(cause -> Future.failedFuture(new JwtFailure(reason(cause))))
        .compose(user -> {
          JsonObject payload = user.attributes() != null && user.attributes().getJsonObject("accessToken") != null
              ? user.attributes().getJsonObject("accessToken") : user.principal();
          if (!provider.issuer().isEmpty() && !provider.issuer().equals(payload.getString("iss"))) {
            return Future.failedFuture(new JwtFailure("Jwt issuer is not configured"));
          }
          if (!provider.audiences().isEmpty() && !audienceMatches(payload.getValue("aud"), provider.audiences())) {
            return Future.failedFuture(new JwtFailure("Audiences in Jwt are not allowed"));
          }
          return Future.succeededFuture(payload);
        }));
  }

  private static String reason(Throwable cause) {
    String message = String.valueOf(cause.getMessage()).toLowerCase(java.util.Locale.ROOT);
    if (message.contains("expired")) {
      return "Jwt is expired";
    }
    if (message.contains("not yet valid") || message.contains("nbf")) {
      return "Jwt not yet valid";
    }
    return "Jwt verification fails";
  }

  private static boolean audienceMatches(Object aud, List<String> allowed) {
    if (aud instanceof String single) {
      return allowed.contains(single);
    }
    if (aud instanceof JsonArray array) {
      for (Object value : array) {
        if (allowed.contains(String.valueOf(value))) {
          return true;
        }
      }
    }
    return false;
  }

  private Future<Keys> keysFor(JwtSpec.Provider provider) {
    if (provider.inlineJwks() != null) {
      return keys.computeIfAbsent("inline:" + provider.inlineJwks(),
          key -> Future.succeededFuture(build(provider.inlineJwks(), Long.MAX_VALUE)));
    }
    String key = "remote:" + provider.remoteJwksUri();
    Future<Keys> cached = keys.get(key);
    if (cached != null && (!cached.isComplete() || (cached.succeeded()
        && cached.result().expiresAtNanos - System.nanoTime() > 0))) {
      return cached;
    }
    Future<Keys> fetch = fetch(provider);
    keys.put(key, fetch);
    // A failed fetch is not cached: the next request tries again.
    fetch.onFailure(ignored -> keys.remove(key, fetch));
    return fetch;
  }

  private Keys build(String jwks, long expiresAtNanos) {
    JsonArray array = new JsonObject(jwks).getJsonArray("keys", new JsonArray());
    List<JsonObject> list = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      list.add(array.getJsonObject(i));
    }
    return new Keys(JWTAuth.create(vertx, new JWTAuthOptions().setJwks(list)), expiresAtNanos);
  }

  private Future<Keys> fetch(JwtSpec.Provider provider) {
    HttpClient http = client;
    if (http == null) {
      synchronized (this) {
        if (client == null) {
          client = vertx.createHttpClient(new HttpClientOptions().setSsl(false));
        }
        http = client;
      }
    }
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET)
        .setAbsoluteURI(provider.remoteJwksUri()).setTimeout(provider.remoteTimeout().toMillis());
    long ttl = provider.cacheDuration().toNanos();
    return http.request(options)
        .compose(request -> request.send())
        .compose(response -> response.statusCode() == 200 ? response.body()
            : Future.failedFuture("JWKS fetch returned " + response.statusCode()))
        .map((Buffer body) -> build(body.toString(), System.nanoTime() + ttl))
        .recover(cause -> Future.failedFuture(new JwtFailure("Jwks remote fetch is failed")));
  }

  /** Closes the JWKS client. */
  public Future<Void> close() {
    HttpClient http = client;
    return http == null ? Future.succeededFuture() : http.close();
  }
}
