package io.meshfed.trust.vault;

import io.meshfed.trust.Pem;
import io.meshfed.trust.TrustDomain;
import io.meshfed.trust.ca.CaCertificates;
import io.meshfed.trust.ca.KeyAlgorithm;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * A Vault-API test double: a Vert.x HTTP server that follows Vault's documented endpoints and error shapes for what
 * meshfed uses (PKI: {@code root/generate/internal}, {@code root/sign-intermediate}, {@code sign/:role},
 * {@code roles/:name}, {@code issuers}, {@code issuer/:ref}, {@code config/issuers}; auth: token
 * {@code lookup-self} / {@code renew-self}, AppRole and Kubernetes login; {@code sys/mounts}). It signs for real, so
 * the certificates verify. Errors are {@code {"errors":[...]}}, 403 for a missing or bad token; faults (5xx, sealed,
 * slow answers) can be injected.
 */
final class VaultApiDouble {

  static final String ROOT_TOKEN = "hvs.root-token-for-tests";

  private record Token(String id, Instant expiresAt, boolean renewable, long ttlSeconds) {
  }

  private record Issuer(String id, String name, KeyPair key, X509Certificate certificate) {
  }

  private final Vertx vertx;
  private HttpServer server;
  private final Map<String, Token> tokens = new ConcurrentHashMap<>();
  private final Map<String, String> mounts = new ConcurrentHashMap<>();
  private final Map<String, Issuer> issuers = new ConcurrentHashMap<>();
  private final Map<String, JsonObject> roles = new ConcurrentHashMap<>();
  private final Map<String, String> appRoles = new ConcurrentHashMap<>();
  private final Map<String, String> kubernetesRoles = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final AtomicInteger stored = new AtomicInteger();
  private volatile String defaultIssuer;
  private volatile Duration loginTtl = Duration.ofHours(1);
  private volatile Duration delay = Duration.ZERO;
  private volatile int failNextStatus;
  private volatile int failNextCount;
  private volatile boolean sealed;

  VaultApiDouble(Vertx vertx) {
    this.vertx = vertx;
    tokens.put(ROOT_TOKEN, new Token(ROOT_TOKEN, Instant.MAX, false, 0));
    mounts.put("sys/", "system");
    mounts.put("secret/", "kv");
    mounts.put("cubbyhole/", "cubbyhole");
    mounts.put("identity/", "identity");
  }

  Future<String> start() {
    server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      JsonObject json = body.length() == 0 ? new JsonObject() : body.toJsonObject();
      Runnable answer = () -> handle(request, json);
      if (delay.isZero()) {
        answer.run();
      } else {
        vertx.setTimer(delay.toMillis(), id -> answer.run());
      }
    }));
    return server.listen(0, "127.0.0.1").map(s -> "http://127.0.0.1:" + s.actualPort());
  }

  // ------------------------------------------------------------ test controls

  /** AppRole credentials that log in. */
  void addAppRole(String roleId, String secretId) {
    appRoles.put(roleId, secretId);
  }

  /** A Kubernetes auth role and the service account token it accepts. */
  void addKubernetesRole(String role, String jwt) {
    kubernetesRoles.put(role, jwt);
  }

  /** Lifetime of tokens issued by logins from now on (renewable). */
  void loginTtl(Duration ttl) {
    this.loginTtl = ttl;
  }

  /** Revokes every token but the root token, as an operator or Vault's lease expiry would. */
  void revokeIssuedTokens() {
    tokens.keySet().removeIf(id -> !id.equals(ROOT_TOKEN));
  }

  /** Answers the next {@code count} authenticated requests with {@code status} and Vault's error shape. */
  void failNext(int status, int count) {
    failNextStatus = status;
    failNextCount = count;
  }

  /** Delays every answer (a slow or overloaded Vault). */
  void delay(Duration delay) {
    this.delay = delay;
  }

  /** A sealed Vault answers 503 {"errors":["Vault is sealed"]} to everything. */
  void sealed(boolean sealed) {
    this.sealed = sealed;
  }

  /** How many times {@code "METHOD /v1/path"} was called. */
  int calls(String key) {
    AtomicInteger count = calls.get(key);
    return count == null ? 0 : count.get();
  }

  int storedCertificates() {
    return stored.get();
  }

  int issuerCount() {
    return issuers.size();
  }

  /** Generates a new root and makes it the default issuer: a root rotation done in Vault. */
  X509Certificate rotateRoot(TrustDomain trustDomain) {
    Issuer issuer = newRoot("rotated root", trustDomain, Duration.ofDays(30), "root-2");
    defaultIssuer = issuer.id();
    return issuer.certificate();
  }

  // ------------------------------------------------------------ routing

  private static final Pattern SIGN = Pattern.compile("/v1/([^/]+)/sign/([^/]+)");
  private static final Pattern ROLE = Pattern.compile("/v1/([^/]+)/roles/([^/]+)");
  private static final Pattern ISSUER = Pattern.compile("/v1/([^/]+)/issuer/([^/]+)");
  private static final Pattern MOUNT = Pattern.compile("/v1/sys/mounts/(.+)");

  private void handle(HttpServerRequest request, JsonObject body) {
    String path = request.path();
    boolean list = "LIST".equals(request.method().name()) || "true".equals(request.getParam("list"));
    String method = list ? "LIST" : request.method().name();
    calls.computeIfAbsent(method + " " + path, key -> new AtomicInteger()).incrementAndGet();
    if (sealed) {
      error(request, 503, "Vault is sealed");
      return;
    }
    try {
      if (path.equals("/v1/auth/approle/login")) {
        String secret = appRoles.get(body.getString("role_id", ""));
        if (secret == null || !secret.equals(body.getString("secret_id"))) {
          error(request, 400, "invalid role or secret ID");
          return;
        }
        login(request);
        return;
      }
      if (path.equals("/v1/auth/kubernetes/login")) {
        String jwt = kubernetesRoles.get(body.getString("role", ""));
        if (jwt == null) {
          error(request, 400, "invalid role name \"" + body.getString("role") + "\"");
          return;
        }
        if (!jwt.equals(body.getString("jwt"))) {
          error(request, 403, "permission denied");
          return;
        }
        login(request);
        return;
      }
      Token token = tokens.get(String.valueOf(request.getHeader("X-Vault-Token")));
      if (token == null || Instant.now().isAfter(token.expiresAt())) {
        error(request, 403, "permission denied");
        return;
      }
      if (failNextCount > 0) {
        failNextCount--;
        error(request, failNextStatus, failNextStatus >= 500 ? "internal error" : "injected failure");
        return;
      }
      route(request, method, path, body, token);
    } catch (RuntimeException e) {
      error(request, 500, e.toString());
    }
  }

  private void route(HttpServerRequest request, String method, String path, JsonObject body, Token token) {
    Matcher matcher;
    if (path.equals("/v1/auth/token/lookup-self") && method.equals("GET")) {
      ok(request, new JsonObject().put("data", new JsonObject().put("id", token.id()).put("accessor", "acc-" + token.id())
          .put("policies", new JsonArray().add("meshfed")).put("renewable", token.renewable())
          .put("ttl", token.renewable() ? Math.max(0, Duration.between(Instant.now(), token.expiresAt()).toSeconds()) : 0)
          .put("creation_ttl", token.ttlSeconds()).put("display_name", "token").put("num_uses", 0)
          .put("orphan", true).put("path", "auth/token/create").put("explicit_max_ttl", 0)));
    } else if (path.equals("/v1/auth/token/renew-self") && method.equals("POST")) {
      if (!token.renewable()) {
        error(request, 400, "lease is not renewable");
        return;
      }
      Token renewed = new Token(token.id(), Instant.now().plusSeconds(token.ttlSeconds()), true, token.ttlSeconds());
      tokens.put(token.id(), renewed);
      ok(request, authBlock(renewed));
    } else if (path.equals("/v1/sys/mounts") && method.equals("GET")) {
      JsonObject data = new JsonObject();
      mounts.forEach((mount, type) -> data.put(mount, new JsonObject().put("type", type).put("description", "")
          .put("local", false).put("seal_wrap", false)
          .put("config", new JsonObject().put("default_lease_ttl", 0).put("max_lease_ttl", 0)
              .put("force_no_cache", false))));
      ok(request, data.copy().put("data", data));
    } else if ((matcher = MOUNT.matcher(path)).matches() && method.equals("POST")) {
      String mount = matcher.group(1) + "/";
      if (mounts.containsKey(mount)) {
        error(request, 400, "path is already in use at " + mount);
        return;
      }
      mounts.put(mount, body.getString("type"));
      request.response().setStatusCode(204).end();
    } else if (path.endsWith("/root/generate/internal") && method.equals("POST") && pkiMount(request, path)) {
      Issuer issuer = newRoot(body.getString("common_name"), trustDomainOf(body.getString("uri_sans")),
          Duration.ofSeconds(parseTtl(body.getString("ttl", "87600h"))), body.getString("issuer_name", ""));
      if (defaultIssuer == null) {
        defaultIssuer = issuer.id();
      }
      ok(request, new JsonObject().put("data", new JsonObject().put("certificate", pem(issuer.certificate()))
          .put("issuing_ca", pem(issuer.certificate())).put("issuer_id", issuer.id())
          .put("serial_number", serial(issuer.certificate())).put("expiration", expiration(issuer.certificate()))));
    } else if (path.endsWith("/root/sign-intermediate") && method.equals("POST") && pkiMount(request, path)) {
      Issuer root = defaultRoot(request);
      if (root == null) {
        return;
      }
      JcaPKCS10CertificationRequest csr = csr(request, body);
      if (csr == null) {
        return;
      }
      X509Certificate intermediate = CaCertificates.intermediate(publicKey(csr),
          trustDomainOf(body.getString("uri_sans")), body.getString("common_name"),
          Duration.ofSeconds(parseTtl(body.getString("ttl", "720h"))), root.certificate(), root.key().getPrivate());
      ok(request, signed(intermediate, root));
    } else if ((matcher = ROLE.matcher(path)).matches() && pkiMount(request, path)) {
      String role = matcher.group(2);
      if (method.equals("GET")) {
        JsonObject definition = roles.get(role);
        if (definition == null) {
          request.response().setStatusCode(404).putHeader("Content-Type", "application/json")
              .end(new JsonObject().put("errors", new JsonArray()).encode());
          return;
        }
        ok(request, new JsonObject().put("data", definition));
      } else {
        roles.put(role, body);
        request.response().setStatusCode(204).end();
      }
    } else if ((matcher = SIGN.matcher(path)).matches() && method.equals("POST") && pkiMount(request, path)) {
      signLeaf(request, matcher.group(2), body);
    } else if (path.endsWith("/issuers") && method.equals("LIST") && pkiMount(request, path)) {
      if (issuers.isEmpty()) {
        request.response().setStatusCode(404).putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("errors", new JsonArray()).encode());
        return;
      }
      JsonObject info = new JsonObject();
      issuers.values().forEach(issuer -> info.put(issuer.id(), new JsonObject().put("issuer_name", issuer.name())
          .put("is_default", issuer.id().equals(defaultIssuer))));
      ok(request, new JsonObject().put("data", new JsonObject().put("keys", new JsonArray(new ArrayList<>(
          issuers.keySet()))).put("key_info", info)));
    } else if ((matcher = ISSUER.matcher(path)).matches() && method.equals("GET") && pkiMount(request, path)) {
      String ref = matcher.group(2).equals("default") ? defaultIssuer : matcher.group(2);
      Issuer issuer = ref == null ? null : issuers.get(ref);
      if (issuer == null) {
        error(request, 500, "unable to find PKI issuer for reference: " + matcher.group(2));
        return;
      }
      ok(request, new JsonObject().put("data", new JsonObject().put("certificate", pem(issuer.certificate()))
          .put("issuer_id", issuer.id()).put("issuer_name", issuer.name())
          .put("ca_chain", new JsonArray().add(pem(issuer.certificate())))));
    } else if (path.endsWith("/config/issuers") && method.equals("POST") && pkiMount(request, path)) {
      defaultIssuer = body.getString("default");
      ok(request, new JsonObject().put("data", new JsonObject().put("default", defaultIssuer)));
    } else {
      error(request, 404, "no handler for route \"" + path.substring(4) + "\". route entry not found.");
    }
  }

  private void signLeaf(HttpServerRequest request, String roleName, JsonObject body) {
    JsonObject role = roles.get(roleName);
    if (role == null) {
      error(request, 400, "unknown role: " + roleName);
      return;
    }
    Issuer root = defaultRoot(request);
    if (root == null) {
      return;
    }
    JcaPKCS10CertificationRequest csr = csr(request, body);
    if (csr == null) {
      return;
    }
    String uri = body.getString("uri_sans", "");
    String allowed = role.getString("allowed_uri_sans", "");
    if (uri.isEmpty() || !globMatches(allowed, uri)) {
      error(request, 400, "URI Subject Alternative Names (" + uri + ") not allowed by this role");
      return;
    }
    long ttl = parseTtl(body.getString("ttl", role.getString("ttl", "24h")));
    long maxTtl = parseTtl(role.getString("max_ttl", "768h"));
    if (ttl > maxTtl) {
      ttl = maxTtl; // Vault caps at the role's max_ttl (with a warning)
    }
    X509Certificate leaf = leaf(publicKey(csr), uri, Duration.ofSeconds(ttl), root);
    if (!role.getBoolean("no_store", false)) {
      stored.incrementAndGet();
    }
    ok(request, signed(leaf, root));
  }

  // ------------------------------------------------------------ helpers

  private void login(HttpServerRequest request) {
    Token token = new Token("hvs." + UUID.randomUUID(), Instant.now().plus(loginTtl), true, loginTtl.toSeconds());
    tokens.put(token.id(), token);
    ok(request, authBlock(token));
  }

  private static JsonObject authBlock(Token token) {
    return new JsonObject().put("auth", new JsonObject().put("client_token", token.id())
        .put("accessor", "acc-" + token.id()).put("policies", new JsonArray().add("default").add("meshfed"))
        .put("token_policies", new JsonArray().add("default").add("meshfed"))
        .put("lease_duration", token.ttlSeconds()).put("renewable", token.renewable())
        .put("metadata", new JsonObject()));
  }

  private Issuer newRoot(String commonName, TrustDomain trustDomain, Duration ttl, String name) {
    KeyPair key = KeyAlgorithm.EC_P256.generate();
    X509Certificate certificate = CaCertificates.selfSignedRoot(key, trustDomain, commonName, ttl);
    Issuer issuer = new Issuer(UUID.randomUUID().toString(), name, key, certificate);
    issuers.put(issuer.id(), issuer);
    return issuer;
  }

  private Issuer defaultRoot(HttpServerRequest request) {
    Issuer issuer = defaultIssuer == null ? null : issuers.get(defaultIssuer);
    if (issuer == null) {
      error(request, 400, "no default issuer currently configured");
    }
    return issuer;
  }

  private boolean pkiMount(HttpServerRequest request, String path) {
    String mount = path.substring(4, path.indexOf('/', 4)) + "/";
    if (!"pki".equals(mounts.get(mount))) {
      error(request, 404, "no handler for route \"" + path.substring(4) + "\". route entry not found.");
      return false;
    }
    return true;
  }

  private JcaPKCS10CertificationRequest csr(HttpServerRequest request, JsonObject body) {
    try {
      return new JcaPKCS10CertificationRequest(Pem.blocks(body.getString("csr", ""), "csr").get(0).der());
    } catch (RuntimeException | java.io.IOException e) {
      error(request, 400, "certificate request could not be parsed: " + e.getMessage());
      return null;
    }
  }

  private static PublicKey publicKey(JcaPKCS10CertificationRequest csr) {
    try {
      return csr.getPublicKey();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate leaf(PublicKey key, String uri, Duration ttl, Issuer issuer) {
    try {
      Instant now = Instant.now();
      Instant notAfter = now.plus(ttl).isAfter(issuer.certificate().getNotAfter().toInstant())
          ? issuer.certificate().getNotAfter().toInstant() : now.plus(ttl);
      var builder = new JcaX509v3CertificateBuilder(
          X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded()),
          new BigInteger(128, new SecureRandom()).setBit(127), Date.from(now.minusSeconds(30)), Date.from(notAfter),
          new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), key)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
          .addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.authorityKeyIdentifier, false,
              new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(issuer.certificate().getPublicKey()))
          .addExtension(Extension.subjectAlternativeName, true,
              new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, uri)));
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.key().getPrivate())));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonObject signed(X509Certificate certificate, Issuer issuer) {
    return new JsonObject().put("lease_id", "").put("renewable", false).put("lease_duration", 0)
        .put("data", new JsonObject().put("certificate", pem(certificate)).put("issuing_ca", pem(issuer.certificate()))
            .put("ca_chain", new JsonArray().add(pem(issuer.certificate())))
            .put("serial_number", serial(certificate)).put("expiration", expiration(certificate)))
        .put("warnings", (Object) null).put("auth", (Object) null);
  }

  private static TrustDomain trustDomainOf(String uriSans) {
    return TrustDomain.of(uriSans == null || uriSans.isEmpty() ? "vault.local"
        : uriSans.substring("spiffe://".length()));
  }

  /** Vault's glob matching for allowed_uri_sans: '*' matches any run of characters. */
  static boolean globMatches(String allowed, String value) {
    for (String pattern : allowed.split(",")) {
      String regex = Pattern.quote(pattern.trim()).replace("*", "\\E.*\\Q");
      if (!pattern.isBlank() && value.matches(regex)) {
        return true;
      }
    }
    return false;
  }

  /** Vault durations: "30s", "24h", "1m" or plain seconds. */
  static long parseTtl(String ttl) {
    Map<Character, Long> units = new LinkedHashMap<>(Map.of('s', 1L, 'm', 60L, 'h', 3600L, 'd', 86400L));
    char last = ttl.charAt(ttl.length() - 1);
    if (units.containsKey(last)) {
      return Long.parseLong(ttl.substring(0, ttl.length() - 1)) * units.get(last);
    }
    return Long.parseLong(ttl);
  }

  private static String pem(X509Certificate certificate) {
    return Pem.encodeCertificates(List.of(certificate)).trim();
  }

  private static String serial(X509Certificate certificate) {
    String hex = certificate.getSerialNumber().toString(16);
    return hex.replaceAll("(..)(?!$)", "$1:");
  }

  private static String expiration(X509Certificate certificate) {
    return String.valueOf(certificate.getNotAfter().toInstant().getEpochSecond());
  }

  /** Vault's response envelope: every field present, null or empty when unused. */
  private static void ok(HttpServerRequest request, JsonObject json) {
    for (String field : List.of("data", "wrap_info", "warnings", "auth")) {
      if (!json.containsKey(field)) {
        json.putNull(field);
      }
    }
    json.put("request_id", UUID.randomUUID().toString());
    if (!json.containsKey("lease_id")) {
      json.put("lease_id", "").put("renewable", false).put("lease_duration", 0);
    }
    request.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(json.encode());
  }

  private static void error(HttpServerRequest request, int status, String message) {
    request.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("errors", new JsonArray().add(message)).encode());
  }
}
