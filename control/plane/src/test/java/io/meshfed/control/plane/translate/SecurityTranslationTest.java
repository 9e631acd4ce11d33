package io.meshfed.control.plane.translate;

import static io.meshfed.control.plane.translate.MeshFixture.INGRESS;
import static io.meshfed.control.plane.translate.MeshFixture.assertJson;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.meshfed.control.plane.translate.TranslationProblem.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * AuthorizationPolicy and RequestAuthentication on an ingress gateway (docs/xds-profile.md, "Listeners"): the HTTP
 * filters in Istio's order (jwt_authn; CUSTOM's marking RBAC + ext_authz; AUDIT; DENY; ALLOW; fault; cors;
 * router) and the rules they carry.
 */
class SecurityTranslationTest {

  private static MeshFixture gateway(String policies) {
    return new MeshFixture().ingress()
        .view(b -> b.trustDomainAliases(List.of("legacy.local"))
            .extAuthzProvider(ExtAuthzProvider.of("opa", "opa.authz.svc.cluster.local", 8181)))
        .file("k8s.yaml", Kube.service("shop", "web", "http:8000") + Kube.service("authz", "opa", "http:8181"))
        .file("gateway.yaml", MeshFixture.EDGE_GATEWAY + """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: web, namespace: shop}
            spec:
              hosts: ["*"]
              gateways: ["istio-system/edge"]
              http:
              - route:
                - destination: {host: web}
            """)
        .file("policies.yaml", policies);
  }

  private static List<HttpFilter> filters(MeshFixture fx) throws Exception {
    fx.translate();
    return fx.listener(INGRESS, "0.0.0.0_8080").getFilterChains(0).getFilters(0).getTypedConfig()
        .unpack(HttpConnectionManager.class).getHttpFiltersList();
  }

  @Test
  void policiesBecomeFiltersInIstiosOrder() throws Exception {
    MeshFixture fx = gateway("""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: allow-partners, namespace: istio-system}
        spec:
          selector: {matchLabels: {istio: ingressgateway}}
          action: ALLOW
          rules:
          - from: [{source: {principals: ["cluster.local/ns/partner/sa/client"]}}]
            to: [{operation: {methods: [GET], paths: ["/api/*"]}}]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: deny-admin, namespace: istio-system}
        spec:
          action: DENY
          rules:
          - to: [{operation: {paths: ["/admin*"], notHosts: ["admin.example.com"]}}]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: audit-all, namespace: istio-system}
        spec:
          action: AUDIT
          rules: [{}]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: ext, namespace: istio-system}
        spec:
          action: CUSTOM
          provider: {name: opa}
          rules:
          - to: [{operation: {paths: ["/secure/*"]}}]
        ---
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata: {name: jwt, namespace: istio-system}
        spec:
          selector: {matchLabels: {istio: ingressgateway}}
          jwtRules:
          - issuer: https://issuer.example.com
            jwksUri: https://issuer.example.com/jwks.json
            audiences: [shop]
            forwardOriginalToken: true
            outputClaimToHeaders: [{header: x-user, claim: sub}]
        """);
    List<HttpFilter> filters = filters(fx);

    assertThat(filters).extracting(HttpFilter::getName).containsExactly("envoy.filters.http.jwt_authn",
        "envoy.filters.http.rbac", "envoy.filters.http.ext_authz", "envoy.filters.http.rbac",
        "envoy.filters.http.rbac", "envoy.filters.http.rbac", "envoy.filters.http.fault", "envoy.filters.http.cors",
        "envoy.filters.http.router");
    assertJson(filters.get(0).getTypedConfig(), """
        {"@type":"type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication",
         "providers":{"origins-0":{"issuer":"https://issuer.example.com","audiences":["shop"],
           "remoteJwks":{"httpUri":{"uri":"https://issuer.example.com/jwks.json",
             "cluster":"outbound|443||issuer.example.com","timeout":"5s"},"cacheDuration":"300s"},
           "forward":true,"payloadInMetadata":"https://issuer.example.com",
           "claimToHeaders":[{"headerName":"x-user","claimName":"sub"}]}},
         "rules":[{"match":{"prefix":"/"},"requires":{"requiresAny":{"requirements":[
           {"providerName":"origins-0"},{"allowMissing":{}}]}}}]}
        """);
    // CUSTOM: shadow rules mark the requests its rules match; ext_authz runs only for them.
    assertJson(filters.get(1).getTypedConfig(), """
        {"@type":"type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC",
         "shadowRules":{"policies":{"istio-ext-authz-ns[istio-system]-policy[ext]-rule[0]":{
           "permissions":[{"urlPath":{"path":{"prefix":"/secure/"}}}],"principals":[{"any":true}]}}},
         "shadowRulesStatPrefix":"istio_ext_authz_"}
        """);
    assertJson(filters.get(2).getTypedConfig(), """
        {"@type":"type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz",
         "httpService":{"serverUri":{"uri":"http://opa.authz.svc.cluster.local:8181",
           "cluster":"outbound|8181||opa.authz.svc.cluster.local","timeout":"0.200s"}},
         "transportApiVersion":"V3","statusOnError":{"code":"Forbidden"},
         "filterEnabledMetadata":{"filter":"envoy.filters.http.rbac",
           "path":[{"key":"istio_ext_authz_shadow_effective_policy_id"}],
           "value":{"stringMatch":{"prefix":"istio-ext-authz-"}}}}
        """);
    assertJson(filters.get(3).getTypedConfig(), """
        {"@type":"type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC",
         "rules":{"action":"LOG","policies":{"ns[istio-system]-policy[audit-all]-rule[0]":{
           "permissions":[{"any":true}],"principals":[{"any":true}]}}}}
        """);
    assertJson(filters.get(4).getTypedConfig(), """
        {"@type":"type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC",
         "rules":{"action":"DENY","policies":{"ns[istio-system]-policy[deny-admin]-rule[0]":{
           "permissions":[{"andRules":{"rules":[
             {"notRule":{"header":{"name":":authority","stringMatch":{"exact":"admin.example.com","ignoreCase":true}}}},
             {"urlPath":{"path":{"prefix":"/admin"}}}]}}],
           "principals":[{"any":true}]}}}}
        """);
    // Principals are SPIFFE IDs, once per trust domain of the mesh (the alias included).
    assertJson(filters.get(5).getTypedConfig(), """
        {"@type":"type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC",
         "rules":{"policies":{"ns[istio-system]-policy[allow-partners]-rule[0]":{
           "permissions":[{"andRules":{"rules":[
             {"header":{"name":":method","stringMatch":{"exact":"GET"}}},
             {"urlPath":{"path":{"prefix":"/api/"}}}]}}],
           "principals":[{"orIds":{"ids":[
             {"authenticated":{"principalName":{"exact":"spiffe://cluster.local/ns/partner/sa/client"}}},
             {"authenticated":{"principalName":{"exact":"spiffe://legacy.local/ns/partner/sa/client"}}}]}}]}}}}
        """);
    // The authorizer's cluster is sent along.
    assertThat(fx.names(INGRESS, io.meshfed.control.client.xds.XdsResourceType.CLUSTER))
        .contains("outbound|8181||opa.authz.svc.cluster.local");
  }

  @Test
  void conditionsNamespacesIpBlocksAndRequestPrincipals() throws Exception {
    List<HttpFilter> filters = filters(gateway("""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: conditions, namespace: istio-system}
        spec:
          action: ALLOW
          rules:
          - from:
            - source: {namespaces: [frontend], notIpBlocks: ["10.0.0.0/8"]}
            - source: {requestPrincipals: ["https://issuer.example.com/*"]}
            when:
            - {key: "request.headers[X-Version]", values: ["v1", "v2*"]}
            - {key: "request.auth.claims[groups]", values: [admins]}
        """));
    assertJson(filters.get(0).getTypedConfig(), """
        {"@type":"type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC",
         "rules":{"policies":{"ns[istio-system]-policy[conditions]-rule[0]":{
           "permissions":[{"any":true}],
           "principals":[{"andIds":{"ids":[
             {"orIds":{"ids":[
               {"andIds":{"ids":[
                 {"authenticated":{"principalName":{"safeRegex":{"regex":"spiffe://[^/]+/ns/\\\\Qfrontend\\\\E/.*"}}}},
                 {"notId":{"directRemoteIp":{"addressPrefix":"10.0.0.0","prefixLen":8}}}]}},
               {"metadata":{"filter":"istio_authn","path":[{"key":"request.auth.principal"}],
                 "value":{"stringMatch":{"prefix":"https://issuer.example.com/"}}}}]}},
             {"orIds":{"ids":[
               {"header":{"name":"x-version","stringMatch":{"exact":"v1"}}},
               {"header":{"name":"x-version","stringMatch":{"prefix":"v2"}}}]}},
             {"metadata":{"filter":"istio_authn","path":[{"key":"request.auth.claims"},{"key":"groups"}],
               "value":{"listMatch":{"oneOf":{"stringMatch":{"exact":"admins"}}}}}}]}}]}}}}
        """);
  }

  @Test
  void anAllowPolicyWithoutRulesDeniesEverythingAndAnUnknownProviderFailsClosed() throws Exception {
    MeshFixture fx = gateway("""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: nothing-allowed, namespace: istio-system}
        spec: {}
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: ext, namespace: istio-system}
        spec:
          action: CUSTOM
          provider: {name: nobody}
          rules: [{to: [{operation: {paths: ["/x"]}}]}]
        """);
    List<HttpFilter> filters = filters(fx);
    assertThat(filters).extracting(HttpFilter::getName).containsExactly("envoy.filters.http.rbac",
        "envoy.filters.http.rbac", "envoy.filters.http.fault", "envoy.filters.http.cors", "envoy.filters.http.router");
    assertJson(filters.get(0).getTypedConfig(), """
        {"@type":"type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC",
         "rules":{"action":"DENY","policies":{"ns[istio-system]-policy[ext]-rule[0]":{
           "permissions":[{"urlPath":{"path":{"exact":"/x"}}}],"principals":[{"any":true}]}}}}
        """);
    assertJson(filters.get(1).getTypedConfig(), """
        {"@type":"type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC","rules":{}}
        """);
    assertThat(fx.last.problems()).singleElement().satisfies(p -> {
      assertThat(p.kind()).isEqualTo(Kind.UNKNOWN_PROVIDER);
      assertThat(p.field()).isEqualTo("spec.provider.name");
      assertThat(p.detail()).contains("\"nobody\"").contains("known: opa");
    });
  }
}
