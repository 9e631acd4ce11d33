package io.meshfed.trust.vault;

import io.github.jopenlibs.vault.Vault;
import io.github.jopenlibs.vault.VaultConfig;
import io.github.jopenlibs.vault.VaultException;
import io.github.jopenlibs.vault.json.Json;
import io.github.jopenlibs.vault.json.JsonValue;
import io.github.jopenlibs.vault.response.AuthResponse;
import io.github.jopenlibs.vault.response.LogicalResponse;
import io.github.jopenlibs.vault.response.LookupResponse;
import io.meshfed.trust.Pem;
import io.meshfed.trust.ca.CaException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * meshfed's one connection to Vault, through the vault-java-driver: logs in (token, AppRole, Kubernetes), renews the
 * token at half its lease, logs in again when Vault rejects it, and runs every request on a single worker thread.
 *
 * <p>Threading: the driver blocks, so every Vault call runs on a one-thread worker pool; that thread alone owns the
 * token state, so nothing is locked. Timers run on the context that created the client. PKI paths use KV engine
 * version 1 so the driver never rewrites them.
 */
final class VaultClient {

  private static final Logger log = LoggerFactory.getLogger(VaultClient.class);

  /** A blocking driver call, run on the worker thread with the current token. */
  @FunctionalInterface
  interface Call<T> {
    T run(Vault vault) throws VaultException;
  }

  private final Vertx vertx;
  private final Context context;
  private final VaultSettings settings;
  private final WorkerExecutor worker;
  private final HttpClient http;
  private final MeterRegistry registry;
  private final AtomicInteger renewalFailures = new AtomicInteger();

  // Owned by the worker thread.
  private String token;
  private long leaseSeconds;
  private boolean renewable;

  // Owned by the context.
  private long renewalTimer = -1;
  private boolean closed;

  VaultClient(Vertx vertx, VaultSettings settings, MeterRegistry registry) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.settings = settings;
    this.registry = registry;
    long maxSeconds = Math.max(60, settings.requestTimeout().toSeconds() * 4);
    this.worker = vertx.createSharedWorkerExecutor("meshfed-vault-" + UUID.randomUUID(), 1, maxSeconds,
        TimeUnit.SECONDS);
    this.http = httpClient(settings);
  }

  VaultSettings settings() {
    return settings;
  }

  /** Logs in (or checks the given token) and starts renewing it. */
  Future<Void> start() {
    return worker.<Void>executeBlocking(() -> {
      login();
      return null;
    }, true);
  }

  /** Runs {@code call} with a valid token; logs in again once if Vault rejects the token and the login allows it. */
  <T> Future<T> call(String what, Call<T> call) {
    return worker.executeBlocking(() -> callNow(what, call), true);
  }

  Future<Void> close() {
    Future<Void> closing = Future.future(promise -> context.runOnContext(v -> {
      closed = true;
      vertx.cancelTimer(renewalTimer);
      promise.complete();
    }));
    return closing.compose(v -> worker.close());
  }

  private <T> T callNow(String what, Call<T> call) {
    if (token == null) {
      login();
    }
    try {
      return invoke(what, call);
    } catch (CaException e) {
      if (e.reason() == CaException.Reason.PERMISSION_DENIED && settings.auth().canLogIn()) {
        log.info("vault: {} was refused (403); logging in again with {} and retrying once", what, settings.auth());
        login();
        return invoke(what, call);
      }
      throw e;
    }
  }

  private <T> T invoke(String what, Call<T> call) {
    try {
      return call.run(vault(token));
    } catch (VaultException e) {
      throw failure(what, e);
    }
  }

  /** Worker thread only. */
  private void login() {
    VaultAuth auth = settings.auth();
    try {
      if (auth instanceof VaultAuth.Token given) {
        LookupResponse self = vault(given.token()).auth().lookupSelf();
        token = given.token();
        renewable = self.isRenewable();
        leaseSeconds = self.getTTL();
      } else {
        AuthResponse response;
        if (auth instanceof VaultAuth.AppRole appRole) {
          response = vault("").auth().loginByAppRole(appRole.mount(), appRole.roleId(), appRole.secretId());
        } else {
          VaultAuth.Kubernetes kubernetes = (VaultAuth.Kubernetes) auth;
          String jwt = readJwt(kubernetes);
          // vault-java-driver 6.2.1 posts JWT logins to /v1/<path>/login: the path must include "auth/".
          response = vault("").auth().loginByKubernetes(kubernetes.role(), jwt, "auth/" + kubernetes.mount());
        }
        token = response.getAuthClientToken();
        renewable = response.isAuthRenewable();
        leaseSeconds = response.getAuthLeaseDuration();
        if (token == null || token.isEmpty()) {
          throw new CaException(CaException.Reason.REJECTED_BY_BACKEND,
              "vault: login with " + auth + " returned no client_token");
        }
      }
      count("meshfed_vault_login", "ok");
      log.info("vault: logged in to {} with {} (lease {}s, renewable {})", settings.address(), auth, leaseSeconds,
          renewable);
      long lease = leaseSeconds;
      boolean canRenew = renewable;
      context.runOnContext(v -> scheduleRenewal(lease, canRenew));
    } catch (VaultException e) {
      token = null;
      count("meshfed_vault_login", "failed");
      CaException failure = failure("login with " + auth, e);
      if (failure.reason() == CaException.Reason.PERMISSION_DENIED) {
        throw new CaException(CaException.Reason.PERMISSION_DENIED, failure.getMessage()
            + (auth instanceof VaultAuth.Token ? " (the token is wrong, expired or revoked: give meshfed a valid"
            + " token)" : " (check the role's credentials and that the auth method is enabled at auth/"
            + mountOf(auth) + ")"), e);
      }
      throw failure;
    }
  }

  /** On the context: renew at half the lease; a non-renewable lease is replaced by logging in again. */
  private void scheduleRenewal(long lease, boolean canRenew) {
    if (closed || lease <= 0) {
      return; // lease 0: a root or periodic-less token that never expires
    }
    vertx.cancelTimer(renewalTimer);
    long delayMillis = Math.max(1000, TimeUnit.SECONDS.toMillis(lease) / 2);
    renewalTimer = vertx.setTimer(delayMillis, id -> worker.<Void>executeBlocking(() -> {
      renewNow(canRenew);
      return null;
    }, true).onFailure(e -> {
      int failures = renewalFailures.incrementAndGet();
      log.warn("vault: token renewal failed ({} in a row); retrying: {}", failures, e.getMessage());
      // Retry well before the lease runs out; calls in between log in again on 403.
      context.runOnContext(v -> scheduleRenewal(Math.max(2, Math.min(lease / 4, 60)), canRenew));
    }));
  }

  /** Worker thread only. */
  private void renewNow(boolean canRenew) {
    if (!canRenew) {
      if (settings.auth().canLogIn()) {
        login();
      }
      return;
    }
    try {
      AuthResponse response = vault(token).auth().renewSelf();
      leaseSeconds = response.getAuthLeaseDuration();
      renewable = response.isAuthRenewable();
      renewalFailures.set(0);
      count("meshfed_vault_token_renewal", "ok");
      log.debug("vault: token renewed (lease {}s)", leaseSeconds);
      long lease = leaseSeconds;
      boolean again = renewable;
      context.runOnContext(v -> scheduleRenewal(lease, again));
    } catch (VaultException e) {
      count("meshfed_vault_token_renewal", "failed");
      CaException failure = failure("renew-self", e);
      if (failure.reason() == CaException.Reason.PERMISSION_DENIED && settings.auth().canLogIn()) {
        login();
        return;
      }
      throw failure;
    }
  }

  private Vault vault(String withToken) {
    try {
      VaultConfig config = new VaultConfig()
          .address(stripTrailingSlash(settings.address().toString()))
          .token(withToken == null ? "" : withToken)
          .openTimeout((int) Math.max(1, settings.requestTimeout().toSeconds()))
          .readTimeout((int) Math.max(1, settings.requestTimeout().toSeconds()))
          .httpClient(http);
      if (settings.namespace() != null) {
        config.nameSpace(settings.namespace());
      }
      // Engine version 1: the driver would otherwise rewrite PKI paths as KV v2 data paths.
      return Vault.create(config.build(), 1);
    } catch (VaultException e) {
      throw new CaException(CaException.Reason.MISCONFIGURED, "vault: bad settings " + settings + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * Checks a logical response: the driver returns 4xx as responses rather than exceptions. 403 becomes
   * PERMISSION_DENIED (which triggers one re-login), other 4xx become REJECTED_BY_BACKEND with Vault's errors.
   */
  static LogicalResponse checked(String what, LogicalResponse response, boolean allowNotFound) {
    int status = response.getRestResponse().getStatus();
    if (status == 200 || status == 204 || (allowNotFound && status == 404)) {
      return response;
    }
    String errors = errors(response.getRestResponse().getBody());
    if (status == 403) {
      throw new CaException(CaException.Reason.PERMISSION_DENIED, "vault: " + what + ": 403 " + errors);
    }
    if (status >= 500) {
      throw new CaException(CaException.Reason.UNAVAILABLE, "vault: " + what + ": " + status + " " + errors);
    }
    throw new CaException(CaException.Reason.REJECTED_BY_BACKEND, "vault: " + what + ": " + status + " " + errors);
  }

  /** Vault's error shape is {@code {"errors":["..."]}}; anything else is shown as a short excerpt. */
  static String errors(byte[] body) {
    String text = new String(body == null ? new byte[0] : body, StandardCharsets.UTF_8);
    try {
      JsonValue errors = Json.parse(text).asObject().get("errors");
      if (errors != null && errors.isArray()) {
        List<String> messages = new ArrayList<>();
        errors.asArray().forEach(value -> messages.add(value.isString() ? value.asString() : value.toString()));
        return messages.toString();
      }
    } catch (RuntimeException e) {
      // Not JSON: fall through to the excerpt.
    }
    return text.isBlank() ? "(no body)" : "\"" + (text.length() > 200 ? text.substring(0, 200) + "..." : text) + "\"";
  }

  private CaException failure(String what, VaultException e) {
    int status = e.getHttpStatusCode();
    String message = e.getMessage() == null ? "" : e.getMessage();
    int bodyAt = message.indexOf("Response body:");
    String detail = bodyAt >= 0
        ? errors(message.substring(bodyAt + "Response body:".length()).trim().getBytes(StandardCharsets.UTF_8))
        : message;
    if (status == 403) {
      return new CaException(CaException.Reason.PERMISSION_DENIED, "vault: " + what + ": 403 " + detail, e);
    }
    if (status >= 500) {
      return new CaException(CaException.Reason.UNAVAILABLE, "vault: " + what + ": " + status + " " + detail, e);
    }
    if (status >= 400) {
      return new CaException(CaException.Reason.REJECTED_BY_BACKEND, "vault: " + what + ": " + status + " " + detail,
          e);
    }
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof HttpTimeoutException) {
        return new CaException(CaException.Reason.UNAVAILABLE, "vault: " + what + ": no answer from "
            + settings.address() + " within " + settings.requestTimeout().toSeconds() + "s", e);
      }
      if (cause instanceof ConnectException) {
        return new CaException(CaException.Reason.UNAVAILABLE, "vault: " + what + ": cannot connect to "
            + settings.address() + " (" + cause.getMessage() + ")", e);
      }
    }
    return new CaException(CaException.Reason.UNAVAILABLE, "vault: " + what + ": " + message, e);
  }

  private void count(String name, String result) {
    Counter.builder(name).tag("result", result).register(registry).increment();
  }

  private static String readJwt(VaultAuth.Kubernetes kubernetes) {
    try {
      String jwt = Files.readString(kubernetes.jwtFile(), StandardCharsets.US_ASCII).trim();
      if (jwt.isEmpty()) {
        throw new CaException(CaException.Reason.MISCONFIGURED, kubernetes.jwtFile()
            + ": empty service account token (expected: the pod's projected token)");
      }
      return jwt;
    } catch (IOException e) {
      throw new CaException(CaException.Reason.MISCONFIGURED, kubernetes.jwtFile()
          + ": cannot read the service account token: " + e, e);
    }
  }

  private static String mountOf(VaultAuth auth) {
    return auth instanceof VaultAuth.AppRole appRole ? appRole.mount()
        : auth instanceof VaultAuth.Kubernetes kubernetes ? kubernetes.mount() : "token";
  }

  private static String stripTrailingSlash(String address) {
    return address.endsWith("/") ? address.substring(0, address.length() - 1) : address;
  }

  private static HttpClient httpClient(VaultSettings settings) {
    HttpClient.Builder builder = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(settings.requestTimeout());
    if (settings.caCertificatePem() != null) {
      try {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        int index = 0;
        for (X509Certificate certificate : Pem.certificates(settings.caCertificatePem(), "vault CA certificate")) {
          trust.setCertificateEntry("vault-ca-" + index++, certificate);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, factory.getTrustManagers(), null);
        builder.sslContext(ssl);
      } catch (GeneralSecurityException | IOException e) {
        throw new CaException(CaException.Reason.MISCONFIGURED, "vault CA certificate: cannot be used: " + e, e);
      }
    }
    return builder.build();
  }

  @Override
  public String toString() {
    return "VaultClient{" + settings.address() + ", " + settings.auth() + "}";
  }
}
