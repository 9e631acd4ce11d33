package io.meshfed.gateway.l7.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Empty;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.core.v3.HttpUri;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.AuthorizationResponse;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.HttpService;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtProvider;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtRequirementOrList;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RemoteJwks;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.RequirementRule;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.matcher.v3.ListStringMatcher;
import io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher;
import io.envoyproxy.envoy.type.matcher.v3.PathMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ValueMatcher;
import io.meshfed.gateway.l7.EngineTestBase;
import io.meshfed.gateway.l7.config.XdsResources;
import io.meshfed.gateway.l7.testing.Backend;
import io.meshfed.gateway.l7.testing.Http;
import io.meshfed.gateway.l7.testing.TestJwt;
import io.meshfed.gateway.l7.testing.Xds;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RequestAuthentication (jwt_authn) and AuthorizationPolicy (rbac: DENY then ALLOW; CUSTOM via ext_authz) the way
 * Istio translates them for a gateway, with real JWTs and a real authorizer.
 */
class EdgeSecurityTest extends EngineTestBase {

  private static final String ISSUER = "testing@secure.istio.io";

  private TestJwt issuer;
  private Backend backend;

  @BeforeEach
  void setUp() throws Exception {
    issuer = new TestJwt("key-1");
    backend = backend("b");
  }

  private static HttpFilter filter(String name, com.google.protobuf.Message config) {
    return HttpFilter.newBuilder().setName(name).setTypedConfig(Any.pack(config)).build();
  }

  /** Istio's translation: the provider, and a rule that only fails invalid tokens (allow_missing). */
  private HttpFilter jwtFilter(JwtProvider provider) {
    JwtAuthentication jwt = JwtAuthentication.newBuilder().putProviders("origins-0", provider)
        .addRules(RequirementRule.newBuilder().setMatch(Xds.prefix("/")).setRequires(JwtRequirement.newBuilder()
            .setRequiresAny(JwtRequirementOrList.newBuilder()
                .addRequirements(JwtRequirement.newBuilder().setProviderName("origins-0"))
                .addRequirements(JwtRequirement.newBuilder().setAllowMissing(Empty.getDefaultInstance())))))
        .build();
    return filter("envoy.filters.http.jwt_authn", jwt);
  }

  private JwtProvider inlineProvider() {
    return JwtProvider.newBuilder().setIssuer(ISSUER).setPayloadInMetadata(ISSUER)
        .setLocalJwks(io.envoyproxy.envoy.config.core.v3.DataSource.newBuilder().setInlineString(issuer.jwks()))
        .build();
  }

  private static Principal requestPrincipal(String value) {
    return Principal.newBuilder().setMetadata(MetadataMatcher.newBuilder().setFilter("istio_authn")
        .addPath(MetadataMatcher.PathSegment.newBuilder().setKey("request.auth.principal"))
        .setValue(ValueMatcher.newBuilder().setStringMatch(StringMatcher.newBuilder().setExact(value)))).build();
  }

  private static HttpFilter rbac(RBAC.Action action, String policy, Permission permission, Principal principal) {
    return filter("envoy.filters.http.rbac", io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.newBuilder()
        .setRules(RBAC.newBuilder().setAction(action).putPolicies(policy, Policy.newBuilder()
            .addPermissions(permission).addPrincipals(principal).build())).build());
  }

  private int serve(HttpFilter... filters) throws Exception {
    apply(XdsResources.builder().listener(Xds.httpListener("l", Xds.hcm("r", filters).build()))
        .route(Xds.catchAll("r", "c")).cluster(Xds.staticCluster("c", "127.0.0.1", backend.port())).build());
    return port("l");
  }

  @Test
  void acceptsValidTokensRefusesInvalidOnesAndLetsMissingOnesThrough() throws Exception {
    int port = serve(jwtFilter(inlineProvider()));
    String token = issuer.token(new JsonObject().put("iss", ISSUER).put("sub", ISSUER));

    Http.Response valid = http.get(port, "h", "/", "authorization", "Bearer " + token);
    assertThat(valid.status()).isEqualTo(200);
    assertThat(valid.json().getJsonObject("headers").containsKey("authorization"))
        .as("the token is not forwarded (forward: false)").isFalse();

    Http.Response forged = http.get(port, "h", "/", "authorization", "Bearer " + token.substring(0,
        token.length() - 4) + "AAAA");
    assertThat(forged.status()).isEqualTo(401);
    assertThat(forged.body()).isEqualTo("Jwt verification fails");
    assertThat(forged.header("www-authenticate")).startsWith("Bearer realm=");

    String expired = issuer.token(new JsonObject().put("iss", ISSUER).put("sub", "x")
        .put("exp", System.currentTimeMillis() / 1000 - 60));
    assertThat(http.get(port, "h", "/", "authorization", "Bearer " + expired).body()).isEqualTo("Jwt is expired");

    String otherIssuer = issuer.token(new JsonObject().put("iss", "evil").put("sub", "x"));
    assertThat(http.get(port, "h", "/", "authorization", "Bearer " + otherIssuer).status()).isEqualTo(401);

    assertThat(http.get(port, "h", "/").status()).as("no token: allow_missing").isEqualTo(200);
  }

  @Test
  void requiresARequestPrincipalWhereAuthorizationPolicySaysSo() throws Exception {
    Permission admin = Permission.newBuilder().setUrlPath(PathMatcher.newBuilder()
        .setPath(StringMatcher.newBuilder().setPrefix("/admin"))).build();
    // ALLOW: /admin only for the issuer's subject; everything else for anyone.
    RBAC allow = RBAC.newBuilder().setAction(RBAC.Action.ALLOW)
        .putPolicies("ns[default]-policy[admin]-rule[0]", Policy.newBuilder().addPermissions(admin)
            .addPrincipals(requestPrincipal(ISSUER + "/" + ISSUER)).build())
        .putPolicies("ns[default]-policy[public]-rule[0]", Policy.newBuilder()
            .addPermissions(Permission.newBuilder().setNotRule(admin))
            .addPrincipals(Principal.newBuilder().setAny(true)).build())
        .build();
    int port = serve(jwtFilter(inlineProvider()), filter("envoy.filters.http.rbac",
        io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.newBuilder().setRules(allow).build()));
    String token = issuer.token(new JsonObject().put("iss", ISSUER).put("sub", ISSUER));

    assertThat(http.get(port, "h", "/public").status()).isEqualTo(200);
    Http.Response anonymous = http.get(port, "h", "/admin/users");
    assertThat(anonymous.status()).isEqualTo(403);
    assertThat(anonymous.body()).isEqualTo("RBAC: access denied");
    assertThat(anonymous.header("x-meshfed-details")).isEqualTo("rbac_access_denied_matched_policy[none]");
    assertThat(outcomes.nth(2).responseFlags()).as("as in Envoy, an RBAC denial has no flag").isEqualTo("-");
    assertThat(http.get(port, "h", "/admin/users", "authorization", "Bearer " + token).status()).isEqualTo(200);
    assertThat(http.get(port, "h", "/public/../admin/users").status())
        .as("paths are normalised before authorization").isEqualTo(403);
  }

  @Test
  void evaluatesDenyBeforeAllow() throws Exception {
    Permission any = Permission.newBuilder().setAny(true).build();
    HttpFilter deny = rbac(RBAC.Action.DENY, "ns[default]-policy[deny-blocked]-rule[0]",
        Permission.newBuilder().setHeader(HeaderMatcher.newBuilder().setName("x-block")
            .setStringMatch(StringMatcher.newBuilder().setExact("yes"))).build(),
        Principal.newBuilder().setAny(true).build());
    HttpFilter allow = rbac(RBAC.Action.ALLOW, "ns[default]-policy[loopback]-rule[0]", any,
        Principal.newBuilder().setRemoteIp(CidrRange.newBuilder().setAddressPrefix("127.0.0.0")
            .setPrefixLen(Xds.u32(8))).build());
    int port = serve(deny, allow);

    assertThat(http.get(port, "h", "/").status()).isEqualTo(200);
    Http.Response blocked = http.get(port, "h", "/", "x-block", "yes");
    assertThat(blocked.status()).isEqualTo(403);
    assertThat(blocked.header("x-meshfed-details"))
        .isEqualTo("rbac_access_denied_matched_policy[ns[default]-policy[deny-blocked]-rule[0]]");
  }

  @Test
  void fetchesRemoteJwksOnceAndCachesIt() throws Exception {
    Backend jwks = backend("jwks").handler(request -> request.response().end(issuer.jwks()));
    JwtProvider remote = JwtProvider.newBuilder().setIssuer(ISSUER).setRemoteJwks(RemoteJwks.newBuilder()
        .setHttpUri(HttpUri.newBuilder().setUri("http://127.0.0.1:" + jwks.port() + "/jwks.json")
            .setCluster("outbound|80||jwks").setTimeout(Xds.seconds(5)))
        .setCacheDuration(Xds.seconds(300))).build();
    int port = serve(jwtFilter(remote));
    String token = issuer.token(new JsonObject().put("iss", ISSUER).put("sub", "alice"));

    for (int i = 0; i < 3; i++) {
      assertThat(http.get(port, "h", "/", "authorization", "Bearer " + token).status()).isEqualTo(200);
    }
    assertThat(jwks.hits()).isEqualTo(1);
  }

  @Test
  void asksTheExternalAuthorizerForCustomPolicies() throws Exception {
    Backend authorizer = backend("authz").handler(request -> {
      if ("yes".equals(request.getHeader("x-allow"))) {
        request.response().putHeader("x-authz-user", "alice").end();
      } else {
        request.response().setStatusCode(403).end("denied by policy");
      }
    });
    ExtAuthz extAuthz = ExtAuthz.newBuilder().setHttpService(HttpService.newBuilder()
        .setServerUri(HttpUri.newBuilder().setUri("http://authz.default.svc.cluster.local:8000")
            .setCluster("outbound|8000||authz").setTimeout(Xds.seconds(2)))
        .setAuthorizationRequest(io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.AuthorizationRequest
            .newBuilder().setAllowedHeaders(ListStringMatcher.newBuilder().addPatterns(StringMatcher.newBuilder()
                .setExact("x-allow"))))
        .setAuthorizationResponse(AuthorizationResponse.newBuilder().setAllowedUpstreamHeaders(ListStringMatcher
            .newBuilder().addPatterns(StringMatcher.newBuilder().setExact("x-authz-user"))))).build();
    apply(XdsResources.builder()
        .listener(Xds.httpListener("l", Xds.hcm("r", filter("envoy.filters.http.ext_authz", extAuthz)).build()))
        .route(Xds.catchAll("r", "c")).cluster(Xds.staticCluster("c", "127.0.0.1", backend.port()))
        .cluster(Xds.staticCluster("outbound|8000||authz", "127.0.0.1", authorizer.port())).build());
    int port = port("l");

    Http.Response allowed = http.get(port, "h", "/orders", "x-allow", "yes");
    assertThat(allowed.status()).isEqualTo(200);
    assertThat(allowed.json().getJsonObject("headers").getString("x-authz-user")).isEqualTo("alice");
    Http.Response denied = http.get(port, "h", "/orders");
    assertThat(denied.status()).isEqualTo(403);
    assertThat(denied.body()).isEqualTo("denied by policy");
    assertThat(denied.header("x-meshfed-flags")).isEqualTo("UAEX");
  }
}
