package io.meshfed.gateway.l7.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.meshfed.gateway.l7.EngineTestBase;
import io.meshfed.gateway.l7.config.XdsResources;
import io.meshfed.gateway.l7.testing.Backend;
import io.meshfed.gateway.l7.testing.Http;
import io.meshfed.gateway.l7.testing.RawHttp;
import io.meshfed.gateway.l7.testing.Xds;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Route matching and route actions end to end: Vert.x client → engine → Vert.x backends, on loopback. */
class RoutingTest extends EngineTestBase {

  private Backend a;
  private Backend b;
  private int port;

  @BeforeEach
  void backends() throws Exception {
    a = backend("a");
    b = backend("b");
  }

  private void serve(HttpFilter[] filters, VirtualHost... hosts) throws Exception {
    apply(XdsResources.builder()
        .listener(Xds.httpListener("l", Xds.hcm("r", filters).build()))
        .route(Xds.routes("r", hosts))
        .cluster(Xds.staticCluster("a", "127.0.0.1", a.port()))
        .cluster(Xds.staticCluster("b", "127.0.0.1", b.port()))
        .build());
    port = port("l");
  }

  private void serve(VirtualHost... hosts) throws Exception {
    serve(new HttpFilter[0], hosts);
  }

  private String backendOf(String authority, String uri, String... headers) throws Exception {
    Http.Response response = http.get(port, authority, uri, headers);
    return response.status() == 200 ? response.json().getString("backend") : String.valueOf(response.status());
  }

  @Test
  void selectsVirtualHostsByAuthorityExactThenWildcardThenCatchAll() throws Exception {
    serve(Xds.vhost("exact", List.of("bookinfo.com", "bookinfo.com:80"), Xds.route(Xds.prefix("/"), "a")),
        Xds.vhost("wild", List.of("*.example.com"), Xds.route(Xds.prefix("/"), "b")),
        Xds.vhost("rest", List.of("*"), Xds.route(Xds.prefix("/"), "a"),
            Route.newBuilder().setMatch(Xds.prefix("/")).setDirectResponse(DirectResponseAction.newBuilder()
                .setStatus(418)).build()));

    assertThat(backendOf("bookinfo.com", "/")).isEqualTo("a");
    assertThat(backendOf("BOOKINFO.COM:80", "/")).isEqualTo("a");
    assertThat(backendOf("shop.example.com", "/")).isEqualTo("b");
    assertThat(backendOf("other.org", "/")).isEqualTo("a");
  }

  @Test
  void answers404WithFlagNrWhenNoRouteMatches() throws Exception {
    serve(Xds.vhost("only", List.of("bookinfo.com"), Xds.route(Xds.prefix("/productpage"), "a")));

    Http.Response response = http.get(port, "bookinfo.com", "/other");

    assertThat(response.status()).isEqualTo(404);
    assertThat(response.header("x-meshfed-flags")).isEqualTo("NR");
    assertThat(outcomes.nth(1).responseFlags()).isEqualTo("NR");
    assertThat(http.get(port, "unknown.host", "/productpage").header("x-meshfed-flags")).isEqualTo("NR");
  }

  @Test
  void aConnectRequestMatchesNoRouteAsInEnvoyWithoutAConnectMatcher() throws Exception {
    serve(Xds.vhost("v", List.of("*"), Xds.route(Xds.prefix("/"), "a")));

    String response;
    try (RawHttp raw = new RawHttp(port)) {
      response = raw.send("CONNECT /tunnel HTTP/1.1\r\nHost: bookinfo.com\r\n\r\n").readAll(1000);
    }

    assertThat(RawHttp.status(response)).as(response).isEqualTo(404);
    assertThat(RawHttp.header(response, "x-meshfed-flags")).isEqualTo("NR");
    assertThat(backendOf("bookinfo.com", "/tunnel")).isEqualTo("a");
  }

  @Test
  void matchesPathExactPrefixAndRegex() throws Exception {
    serve(Xds.vhost("v", List.of("*"),
        Xds.route(RouteMatch.newBuilder().setPath("/exact").build(), "b"),
        Xds.route(RouteMatch.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex("/reviews/[0-9]+"))
            .build(), "b"),
        Xds.route(Xds.prefix("/"), "a")));

    assertThat(backendOf("h", "/exact")).isEqualTo("b");
    assertThat(backendOf("h", "/exact/more")).isEqualTo("a");
    assertThat(backendOf("h", "/reviews/42?q=1")).isEqualTo("b");
    assertThat(backendOf("h", "/reviews/x")).isEqualTo("a");
  }

  @Test
  void matchesHeadersMethodAndQueryParameters() throws Exception {
    RouteMatch jason = RouteMatch.newBuilder().setPrefix("/").addHeaders(HeaderMatcher.newBuilder()
        .setName("end-user").setStringMatch(StringMatcher.newBuilder().setExact("jason"))).build();
    RouteMatch post = RouteMatch.newBuilder().setPrefix("/").addHeaders(HeaderMatcher.newBuilder()
        .setName(":method").setStringMatch(StringMatcher.newBuilder().setExact("POST"))).build();
    RouteMatch query = RouteMatch.newBuilder().setPrefix("/").addQueryParameters(QueryParameterMatcher.newBuilder()
        .setName("debug").setStringMatch(StringMatcher.newBuilder().setExact("true"))).build();
    RouteMatch withoutHeader = RouteMatch.newBuilder().setPrefix("/inv").addHeaders(HeaderMatcher.newBuilder()
        .setName("x-canary").setPresentMatch(true).setInvertMatch(true)).build();
    serve(Xds.vhost("v", List.of("*"), Xds.route(jason, "b"), Xds.route(post, "b"), Xds.route(query, "b"),
        Xds.route(withoutHeader, "b"), Xds.route(Xds.prefix("/"), "a")));

    assertThat(backendOf("h", "/", "end-user", "jason")).isEqualTo("b");
    assertThat(backendOf("h", "/", "end-user", "jasonx")).isEqualTo("a");
    assertThat(http.send(HttpMethod.POST, port, "h", "/", "x").json().getString("backend")).isEqualTo("b");
    assertThat(backendOf("h", "/?debug=true")).isEqualTo("b");
    assertThat(backendOf("h", "/?debug=false")).isEqualTo("a");
    assertThat(backendOf("h", "/inv")).isEqualTo("b");
    assertThat(backendOf("h", "/inv", "x-canary", "1")).isEqualTo("a");
  }

  @Test
  void splitsTrafficByWeight() throws Exception {
    Route split = Route.newBuilder().setMatch(Xds.prefix("/")).setRoute(RouteAction.newBuilder()
        .setWeightedClusters(WeightedCluster.newBuilder()
            .addClusters(WeightedCluster.ClusterWeight.newBuilder().setName("a").setWeight(Xds.u32(75)))
            .addClusters(WeightedCluster.ClusterWeight.newBuilder().setName("b").setWeight(Xds.u32(25)))))
        .build();
    serve(Xds.vhost("v", List.of("*"), split));

    int toA = 0;
    for (int i = 0; i < 400; i++) {
      if (backendOf("h", "/").equals("a")) {
        toA++;
      }
    }
    // 75% of 400 = 300; ±50 is more than 5 standard deviations (σ ≈ 8.7).
    assertThat(toA).isBetween(250, 350);
  }

  @Test
  void redirectsWithSchemeHostPathAndStatus() throws Exception {
    Route https = Route.newBuilder().setMatch(Xds.prefix("/secure")).setRedirect(RedirectAction.newBuilder()
        .setHttpsRedirect(true)).build();
    Route moved = Route.newBuilder().setMatch(Xds.prefix("/old/")).setRedirect(RedirectAction.newBuilder()
        .setHostRedirect("new.example.com").setPrefixRewrite("/new/")
        .setResponseCode(RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT)).build();
    serve(Xds.vhost("v", List.of("*"), https, moved));

    Http.Response secure = http.get(port, "shop.com", "/secure/cart?x=1");
    assertThat(secure.status()).isEqualTo(301);
    assertThat(secure.header("location")).isEqualTo("https://shop.com/secure/cart?x=1");
    Http.Response old = http.get(port, "shop.com", "/old/page");
    assertThat(old.status()).isEqualTo(308);
    // Envoy's host_redirect swaps the host and keeps the port.
    assertThat(old.header("location")).isEqualTo("http://new.example.com:" + port + "/new/page");
  }

  @Test
  void rewritesPrefixRegexAndHost() throws Exception {
    Route prefix = Route.newBuilder().setMatch(Xds.prefix("/api/v1/")).setRoute(RouteAction.newBuilder()
        .setCluster("a").setPrefixRewrite("/").setHostRewriteLiteral("internal.svc")).build();
    Route regex = Route.newBuilder().setMatch(Xds.prefix("/users/")).setRoute(RouteAction.newBuilder()
        .setCluster("a").setRegexRewrite(RegexMatchAndSubstitute.newBuilder()
            .setPattern(RegexMatcher.newBuilder().setRegex("^/users/([^/]+)/profile$"))
            .setSubstitution("/profiles/\\1"))).build();
    serve(Xds.vhost("v", List.of("*"), prefix, regex));

    Http.Response rewritten = http.get(port, "public.com", "/api/v1/items?id=7");
    assertThat(rewritten.json().getString("uri")).isEqualTo("/items?id=7");
    assertThat(rewritten.json().getJsonObject("headers").getString("host")).isEqualTo("internal.svc");
    assertThat(http.get(port, "public.com", "/users/ann/profile").json().getString("uri"))
        .isEqualTo("/profiles/ann");
  }

  @Test
  void setsAddsAndRemovesRequestAndResponseHeaders() throws Exception {
    Route route = Route.newBuilder().setMatch(Xds.prefix("/")).setRoute(RouteAction.newBuilder().setCluster("a"))
        .addRequestHeadersToAdd(Xds.header("x-set", "route", true))
        .addRequestHeadersToAdd(Xds.header("x-add", "route", false))
        .addRequestHeadersToRemove("x-secret")
        .addResponseHeadersToAdd(Xds.header("x-served-by", "meshfed", true))
        .addResponseHeadersToRemove("x-backend").build();
    VirtualHost host = Xds.vhost("v", List.of("*"), route).toBuilder()
        .addRequestHeadersToAdd(Xds.header("x-vhost", "yes", true)).build();
    serve(host);

    Http.Response response = http.get(port, "h", "/", "x-set", "client", "x-add", "client", "x-secret", "s3cr3t");

    var headers = response.json().getJsonObject("headers");
    assertThat(headers.getString("x-set")).isEqualTo("route");
    assertThat(headers.getString("x-add")).contains("client").contains("route");
    assertThat(headers.containsKey("x-secret")).isFalse();
    assertThat(headers.getString("x-vhost")).isEqualTo("yes");
    assertThat(response.header("x-served-by")).isEqualTo("meshfed");
    assertThat(response.header("x-backend")).isNull();
  }

  @Test
  void answersDirectResponses() throws Exception {
    Route direct = Route.newBuilder().setMatch(Xds.prefix("/health")).setDirectResponse(DirectResponseAction
        .newBuilder().setStatus(200).setBody(io.envoyproxy.envoy.config.core.v3.DataSource.newBuilder()
            .setInlineString("ok"))).build();
    serve(Xds.vhost("v", List.of("*"), direct));

    Http.Response response = http.get(port, "h", "/health");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("ok");
    assertThat(response.header("content-type")).isEqualTo("text/plain");
    assertThat(a.hits()).isZero();
  }

  @Test
  void answersCorsPreflightsAndDecoratesSimpleRequests() throws Exception {
    CorsPolicy policy = CorsPolicy.newBuilder()
        .addAllowOriginStringMatch(StringMatcher.newBuilder().setExact("https://app.example.com"))
        .setAllowMethods("GET,POST").setAllowHeaders("content-type,x-token").setMaxAge("600")
        .setExposeHeaders("x-trace").setFilterEnabled(RuntimeFractionalPercent.newBuilder().setDefaultValue(
            FractionalPercent.newBuilder().setNumerator(100)))
        .build();
    Route route = Xds.route(Xds.prefix("/"), "a").toBuilder()
        .putTypedPerFilterConfig("envoy.filters.http.cors", Any.pack(policy)).build();
    HttpFilter cors = HttpFilter.newBuilder().setName("envoy.filters.http.cors")
        .setTypedConfig(Any.pack(Cors.getDefaultInstance())).build();
    serve(new HttpFilter[] {cors}, Xds.vhost("v", List.of("*"), route));

    Http.Response preflight = http.send(HttpMethod.OPTIONS, port, "h", "/items", null,
        "origin", "https://app.example.com", "access-control-request-method", "POST");
    assertThat(preflight.status()).isEqualTo(200);
    assertThat(preflight.header("access-control-allow-origin")).isEqualTo("https://app.example.com");
    assertThat(preflight.header("access-control-allow-methods")).isEqualTo("GET,POST");
    assertThat(preflight.header("access-control-max-age")).isEqualTo("600");
    assertThat(a.hits()).isZero();

    Http.Response simple = http.get(port, "h", "/items", "origin", "https://app.example.com");
    assertThat(simple.header("access-control-allow-origin")).isEqualTo("https://app.example.com");
    assertThat(simple.header("access-control-expose-headers")).isEqualTo("x-trace");
    Http.Response foreign = http.get(port, "h", "/items", "origin", "https://evil.example.com");
    assertThat(foreign.header("access-control-allow-origin")).isNull();
  }
}
