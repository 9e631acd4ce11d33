package io.meshfed.control.plane.translate;

import static io.meshfed.control.plane.translate.MeshFixture.INGRESS;
import static io.meshfed.control.plane.translate.MeshFixture.assertJson;
import static io.meshfed.control.plane.translate.MeshFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.meshfed.control.plane.translate.TranslationProblem.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * VirtualService HTTP rules on an ingress gateway (docs/xds-profile.md, "Routes"): every match, route, rewrite,
 * redirect, timeout, retry, fault, mirror, header and CORS field, each compared with the Envoy route it becomes.
 */
class HttpRouteTranslationTest {

  private static final String GATEWAY = """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: web, namespace: istio-system}
      spec:
        selector: {istio: ingressgateway}
        servers:
        - port: {number: 80, name: http, protocol: HTTP}
          hosts: ["*.example.com"]
      ---
      """;

  private static MeshFixture mesh(String httpRules) {
    return new MeshFixture().ingress().file("gateway.yaml", GATEWAY)
        .file("k8s.yaml", Kube.service("shop", "web", "http:8000") + Kube.service("shop", "api", "http:9000")
            + Kube.service("shop", "shadow", "http:8000")
            + Kube.endpoints("shop", "web", "http", 8000, "web-1/10.1.0.1/version=v1")
            + Kube.endpoints("shop", "api", "http", 9000, "api-1/10.1.0.2/version=v1"))
        .file("vs.yaml", """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: shop, namespace: shop}
            spec:
              hosts: ["shop.example.com"]
              gateways: ["istio-system/web"]
              http:
            """ + httpRules);
  }

  private static List<Route> routes(MeshFixture fx) {
    fx.translate();
    VirtualHost vhost = fx.route(INGRESS, "http.8080").getVirtualHosts(0);
    assertThat(vhost.getName()).isEqualTo("shop.example.com:80");
    assertThat(vhost.getDomainsList()).containsExactly("shop.example.com", "shop.example.com:80",
        "shop.example.com:8080");
    return vhost.getRoutesList();
  }

  @Test
  void matchesOnUriMethodHeadersAndQueryParametersOneRoutePerMatch() {
    List<Route> routes = routes(mesh("""
          - name: api
            match:
            - name: exact
              uri: {exact: /api}
              method: {exact: POST}
              headers:
                x-tenant: {prefix: acme}
                x-debug: {}
              queryParams:
                v: {regex: "[0-9]+"}
            - uri: {regex: "/api/v[12]/.*"}
            - uri: {prefix: /other}
              port: 443
            - uri: {prefix: /canary}
              sourceLabels: {istio: ingressgateway}
            route:
            - destination: {host: api}
        """));
    assertThat(routes).extracting(r -> r.getName()).containsExactly("api.exact", "api", "api");
    assertJson(routes.get(0).getMatch(), """
        {"path":"/api","headers":[
          {"name":":method","stringMatch":{"exact":"POST"}},
          {"name":"x-debug","presentMatch":true},
          {"name":"x-tenant","stringMatch":{"prefix":"acme"}}],
         "queryParameters":[{"name":"v","stringMatch":{"safeRegex":{"regex":"[0-9]+"}}}]}
        """);
    assertJson(routes.get(1).getMatch(), "{\"safeRegex\":{\"regex\":\"/api/v[12]/.*\"}}");
    // port 443 is not this server's: left out; sourceLabels match the gateway's labels: kept.
    assertJson(routes.get(2).getMatch(), "{\"prefix\":\"/canary\"}");
  }

  @Test
  void weightedDestinationsTimeoutRetriesAndRewrite() {
    List<Route> routes = routes(mesh("""
          - match: [{uri: {prefix: /v2}}]
            rewrite: {uri: /, authority: web.internal}
            timeout: 3s
            retries: {attempts: 4, perTryTimeout: 500ms, retryOn: "5xx,gateway-error,503,409"}
            route:
            - destination: {host: web, port: {number: 8000}}
              weight: 1
            - destination: {host: api.shop.svc.cluster.local}
              weight: 3
          - match: [{uri: {prefix: /old}}]
            rewrite:
              uriRegexRewrite: {match: "^/old/(.*)$", rewrite: "/new/\\\\1"}
            retries: {attempts: 0}
            route:
            - destination: {host: web}
        """));
    assertJson(routes.get(0).getRoute(), """
        {"weightedClusters":{"clusters":[
           {"name":"outbound|8000||web.shop.svc.cluster.local","weight":25},
           {"name":"outbound|9000||api.shop.svc.cluster.local","weight":75}]},
         "prefixRewrite":"/","hostRewriteLiteral":"web.internal","timeout":"3s",
         "retryPolicy":{"retryOn":"5xx,gateway-error,retriable-status-codes","numRetries":4,"perTryTimeout":"0.500s",
           "retryHostPredicate":[{"name":"envoy.retry_host_predicates.previous_hosts",
             "typedConfig":{"@type":"type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate"}}],
           "hostSelectionRetryMaxAttempts":"5","retriableStatusCodes":[503,409],
           "retryBackOff":{"baseInterval":"0.025s","maxInterval":"0.250s"}}}
        """);
    // attempts: 0 disables retries: no policy at all.
    assertJson(routes.get(1).getRoute(), """
        {"cluster":"outbound|8000||web.shop.svc.cluster.local","timeout":"0s",
         "regexRewrite":{"pattern":{"regex":"^/old/(.*)$"},"substitution":"/new/\\\\1"}}
        """);
  }

  @Test
  void withoutRetriesIstiosDefaultPolicyApplies() {
    Route route = routes(mesh("""
          - route:
            - destination: {host: web}
        """)).get(0);
    assertJson(route.getRoute().getRetryPolicy(), """
        {"retryOn":"connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes","numRetries":2,
         "retryHostPredicate":[{"name":"envoy.retry_host_predicates.previous_hosts",
           "typedConfig":{"@type":"type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate"}}],
         "hostSelectionRetryMaxAttempts":"5","retriableStatusCodes":[503],
         "retryBackOff":{"baseInterval":"0.025s","maxInterval":"0.250s"}}
        """);
  }

  @Test
  void redirectWithAuthorityPathSchemeAndCode() {
    Route route = routes(mesh("""
          - match: [{uri: {exact: /legacy}}]
            redirect: {uri: /modern, authority: www.example.com, scheme: https, redirectCode: 308}
        """)).get(0);
    assertJson(route, """
        {"match":{"path":"/legacy"},
         "redirect":{"hostRedirect":"www.example.com","pathRedirect":"/modern","responseCode":"PERMANENT_REDIRECT",
           "schemeRedirect":"https"}}
        """);
  }

  @Test
  void faultMirrorHeadersAndCors() {
    Route route = routes(mesh("""
          - fault:
              delay: {fixedDelay: 2s, percentage: {value: 10}}
              abort: {httpStatus: 503, percentage: {value: 0.5}}
            mirror: {host: shadow}
            mirrorPercentage: {value: 25}
            headers:
              request:
                set: {x-shop: "1", ":authority": rewritten.example.com}
                add: {x-trace: "on"}
                remove: [cookie]
              response:
                set: {cache-control: no-store}
                remove: [server]
            corsPolicy:
              allowOrigins: [{exact: "https://app.example.com"}, {regex: "https://.*\\\\.example\\\\.com"}]
              allowMethods: [GET, POST]
              allowHeaders: [x-token]
              exposeHeaders: [x-request-id]
              maxAge: 24h
              allowCredentials: true
            route:
            - destination: {host: web}
        """)).get(0);
    assertJson(route.getTypedPerFilterConfigOrThrow("envoy.filters.http.fault"), """
        {"@type":"type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault",
         "delay":{"fixedDelay":"2s","percentage":{"numerator":100000,"denominator":"MILLION"}},
         "abort":{"httpStatus":503,"percentage":{"numerator":5000,"denominator":"MILLION"}}}
        """);
    assertJson(route.getTypedPerFilterConfigOrThrow("envoy.filters.http.cors"), """
        {"@type":"type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy",
         "allowMethods":"GET,POST","allowHeaders":"x-token","exposeHeaders":"x-request-id","maxAge":"86400",
         "allowCredentials":true,
         "allowOriginStringMatch":[{"exact":"https://app.example.com"},{"safeRegex":{"regex":"https://.*\\\\.example\\\\.com"}}]}
        """);
    assertJson(route.getRoute().getRequestMirrorPolicies(0), """
        {"cluster":"outbound|8000||shadow.shop.svc.cluster.local",
         "runtimeFraction":{"defaultValue":{"numerator":250000,"denominator":"MILLION"}}}
        """);
    assertThat(route.getRoute().getHostRewriteLiteral()).isEqualTo("rewritten.example.com");
    assertJson(route.toBuilder().clearMatch().clearRoute().clearTypedPerFilterConfig().build(), """
        {"requestHeadersToAdd":[
           {"header":{"key":"x-shop","value":"1"},"appendAction":"OVERWRITE_IF_EXISTS_OR_ADD"},
           {"header":{"key":"x-trace","value":"on"}}],
         "requestHeadersToRemove":["cookie"],
         "responseHeadersToAdd":[{"header":{"key":"cache-control","value":"no-store"},
           "appendAction":"OVERWRITE_IF_EXISTS_OR_ADD"}],
         "responseHeadersToRemove":["server"]}
        """);
  }

  @Test
  void unknownHostPortAndSubsetAreReportedWithObjectFieldAndFix() {
    MeshFixture fx = mesh("""
          - route:
            - destination: {host: nowhere}
          - route:
            - destination: {host: web, port: {number: 1234}}
          - route:
            - destination: {host: web, subset: v9}
        """);
    fx.translate();
    assertThat(fx.last.problems()).extracting(TranslationProblem::kind, TranslationProblem::field)
        .contains(
            org.assertj.core.groups.Tuple.tuple(Kind.UNKNOWN_HOST, "spec.http[0].route[0].destination.host"),
            org.assertj.core.groups.Tuple.tuple(Kind.UNKNOWN_PORT, "spec.http[1].route[0].destination.port.number"),
            org.assertj.core.groups.Tuple.tuple(Kind.UNKNOWN_SUBSET, "spec.http[2].route[0].destination.subset"));
    TranslationProblem host = fx.last.problems().stream().filter(p -> p.kind() == Kind.UNKNOWN_HOST).findFirst()
        .orElseThrow();
    assertThat(host.toString()).startsWith("Error [unknown-host] (VirtualService shop/shop vs.yaml")
        .contains("\"nowhere\" (nowhere.shop.svc.cluster.local) is not a Service of this cluster")
        .endsWith("(groups: " + INGRESS + ")");
    assertThat(host.fix()).contains("ServiceEntry");
    // The routes still name their clusters (requests get 503 there, as in Istio); the clusters are not invented.
    assertThat(fx.route(INGRESS, "http.8080").getVirtualHosts(0).getRoutesList())
        .extracting(r -> r.getRoute().getCluster()).containsExactly("outbound|80||nowhere.shop.svc.cluster.local",
            "outbound|1234||web.shop.svc.cluster.local", "outbound|8000|v9|web.shop.svc.cluster.local");
    assertThat(fx.names(INGRESS, io.meshfed.control.client.xds.XdsResourceType.CLUSTER)).isEmpty();
  }
}
