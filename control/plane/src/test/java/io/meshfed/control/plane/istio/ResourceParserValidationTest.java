package io.meshfed.control.plane.istio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResourceParserValidationTest {

  private static final String VS_HEAD = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: reviews
      spec:
        hosts: [reviews]
      """;

  @Test
  void negativeWeightNamesObjectFieldPositionAndFix() {
    ParsedResource result = Yaml.one(VS_HEAD + """
          http:
          - route:
            - destination: {host: reviews, subset: v1}
              weight: 80
          - route:
            - destination: {host: reviews, subset: v2}
              weight: -5
        """);
    assertThat(result.valid()).isFalse();
    assertThat(result.messages()).singleElement().satisfies(m -> {
      assertThat(m.type()).isEqualTo(MessageType.INVALID_VALUE);
      assertThat(m.text()).isEqualTo("VirtualService default/reviews: spec.http[1].route[0].weight: -5 (expected: >= 0)");
      assertThat(m.origin().toString()).isEqualTo("test.yaml:13:15");
      assertThat(m.fix()).contains("weight");
      assertThat(m.toString()).startsWith("Error [MF0005] (VirtualService default/reviews test.yaml:13:15)");
    });
  }

  @Test
  void weightsAboveOneHundredAreRelativeAsInIstio() {
    VirtualService vs = Yaml.valid(VS_HEAD + """
          http:
          - route:
            - destination: {host: reviews, subset: v1}
              weight: 300
            - destination: {host: reviews, subset: v2}
              weight: 100
        """);
    assertThat(vs.http().get(0).route()).extracting(VirtualService.HttpRouteDestination::weight)
        .containsExactly(300, 100);
  }

  @Test
  void severalDestinationsWithZeroTotalWeightAreRejected() {
    ParsedResource result = Yaml.one(VS_HEAD + """
          http:
          - route:
            - destination: {host: reviews, subset: v1}
            - destination: {host: reviews, subset: v2}
        """);
    assertThat(result.messages()).extracting(Message::text)
        .containsExactly("VirtualService default/reviews: spec.http[0]: total destination weight 0 (expected: > 0 "
            + "when there are several destinations)");
  }

  @Test
  void unknownFieldIsAnErrorWithDidYouMean() {
    ParsedResource result = Yaml.one(VS_HEAD + """
          http:
          - route:
            - destination: {host: reviews}
            retires: {attempts: 3}
        """);
    assertThat(result.valid()).isFalse();
    assertThat(result.messages()).singleElement().satisfies(m -> {
      assertThat(m.type()).isEqualTo(MessageType.UNKNOWN_FIELD);
      assertThat(m.field()).isEqualTo("spec.http[0].retires");
      assertThat(m.fix()).isEqualTo("did you mean \"retries\"?");
    });
  }

  @Test
  void unsupportedRoutingFieldRejectsTheObject() {
    ParsedResource result = Yaml.one(VS_HEAD + """
          http:
          - match:
            - authority: {exact: example.com}
            route:
            - destination: {host: reviews}
        """);
    assertThat(result.valid()).isFalse();
    assertThat(result.messages()).singleElement().satisfies(m -> {
      assertThat(m.type()).isEqualTo(MessageType.UNSUPPORTED_FIELD);
      assertThat(m.field()).isEqualTo("spec.http[0].match[0].authority");
    });
  }

  @Test
  void unsupportedTuningFieldIsAWarningAndTheObjectIsUsed() {
    ParsedResource result = Yaml.one("""
        apiVersion: networking.istio.io/v1beta1
        kind: DestinationRule
        metadata: {name: reviews, namespace: prod}
        spec:
          host: reviews
          trafficPolicy:
            connectionPool:
              tcp: {maxConnections: 100, tcpKeepalive: {time: 7200s}}
        """);
    assertThat(result.valid()).isTrue();
    assertThat(result.messages()).singleElement().satisfies(m -> {
      assertThat(m.type()).isEqualTo(MessageType.IGNORED_FIELD);
      assertThat(m.severity()).isEqualTo(Severity.WARNING);
      assertThat(m.field()).isEqualTo("spec.trafficPolicy.connectionPool.tcp.tcpKeepalive");
    });
    DestinationRule dr = (DestinationRule) result.config().orElseThrow();
    assertThat(dr.fqdn()).isEqualTo("reviews.prod.svc.cluster.local");
  }

  @ParameterizedTest
  @ValueSource(strings = {"networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"})
  void networkingVersionsAreAllRead(String apiVersion) {
    VirtualService vs = Yaml.valid("apiVersion: " + apiVersion + "\n" + VS_HEAD.substring(VS_HEAD.indexOf('\n') + 1)
        + "  http:\n  - route:\n    - destination: {host: reviews}\n");
    assertThat(vs.meta().apiVersion()).isEqualTo(apiVersion);
  }

  @ParameterizedTest
  @ValueSource(strings = {"security.istio.io/v1", "security.istio.io/v1beta1"})
  void securityVersionsAreAllRead(String apiVersion) {
    PeerAuthentication pa = Yaml.valid("apiVersion: " + apiVersion + """
        
        kind: PeerAuthentication
        metadata: {name: default, namespace: istio-system}
        spec: {mtls: {mode: STRICT}}
        """);
    assertThat(pa.mode()).isEqualTo(PeerAuthentication.MtlsMode.STRICT);
  }

  @Test
  void unknownIstioKindIsAnErrorAndForeignKindAWarning() {
    List<ParsedResource> results = Yaml.parse("""
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default}
        spec: {}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings}
        """);
    assertThat(results.get(0).messages()).singleElement().satisfies(m -> {
      assertThat(m.type()).isEqualTo(MessageType.UNKNOWN_KIND);
      assertThat(m.severity()).isEqualTo(Severity.ERROR);
    });
    assertThat(results.get(1).messages()).singleElement()
        .satisfies(m -> assertThat(m.type()).isEqualTo(MessageType.IGNORED_KIND));
  }

  @Test
  void invalidYamlReportsLineAndColumn() {
    assertThatThrownBy(() -> YamlDocuments.read("bad.yaml", "kind: VirtualService\nspec:\n  hosts: [a\n  http: x\n"))
        .isInstanceOfSatisfying(YamlSyntaxException.class, e -> {
          assertThat(e.position()).isPresent();
          assertThat(e.position().get().line()).isGreaterThanOrEqualTo(3);
          assertThat(e.getMessage()).startsWith("bad.yaml:");
        });
  }

  @Test
  void duplicateKeysAreRejectedAsKubernetesDoes() {
    assertThatThrownBy(() -> YamlDocuments.read("dup.yaml", "a: 1\na: 2\n"))
        .isInstanceOfSatisfying(YamlSyntaxException.class,
            e -> assertThat(e.getMessage()).contains("dup.yaml:2:1").contains("duplicate key \"a\""));
  }

  @Test
  void missingNameIsMalformed() {
    ParsedResource result = Yaml.one("apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {}\nspec: {}\n");
    assertThat(result.key()).isEmpty();
    assertThat(result.messages()).singleElement()
        .satisfies(m -> assertThat(m.type()).isEqualTo(MessageType.MALFORMED_OBJECT));
  }

  @Test
  void durationsAndRetriesFollowIstio() {
    VirtualService vs = Yaml.valid(VS_HEAD + """
          http:
          - route:
            - destination: {host: reviews}
            timeout: 1.5s
            retries: {attempts: 3, perTryTimeout: 500ms, retryOn: "5xx,connect-failure,503"}
            mirror: {host: reviews-shadow}
            mirrorPercentage: {value: 12.5}
            headers:
              request: {set: {x-env: prod}, remove: [x-debug]}
            corsPolicy:
              allowOrigins: [{exact: "https://example.com"}, {regex: "https://.*\\\\.example\\\\.org"}]
              allowMethods: [GET, POST]
              maxAge: 24h
        """);
    VirtualService.HttpRoute route = vs.http().get(0);
    assertThat(route.timeout()).contains(Duration.ofMillis(1500));
    assertThat(route.retries().orElseThrow()).isEqualTo(
        new VirtualService.Retry(3, java.util.Optional.of(Duration.ofMillis(500)), List.of("5xx", "connect-failure", "503")));
    assertThat(route.effectiveMirrorPercentage()).isEqualTo(12.5);
    assertThat(route.headers().orElseThrow().request().set()).containsEntry("x-env", "prod");
    assertThat(route.corsPolicy().orElseThrow().allowOrigins()).hasSize(2);
    assertThat(route.corsPolicy().orElseThrow().maxAge()).contains(Duration.ofHours(24));
  }

  @Test
  void durationWithoutUnitSuggestsOne() {
    ParsedResource result = Yaml.one(VS_HEAD + "  http:\n  - route:\n    - destination: {host: reviews}\n"
        + "    timeout: 10\n");
    assertThat(result.messages()).singleElement().satisfies(m -> {
      assertThat(m.text()).endsWith("spec.http[0].timeout: 10 (expected: a duration such as 1.5s, 100ms or 1m)");
      assertThat(m.fix()).contains("\"10s\"");
    });
  }

  @Test
  void enumValuesAreCaseSensitiveWithAHelpfulFix() {
    ParsedResource result = Yaml.one("""
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: default}
        spec: {mtls: {mode: strict}}
        """);
    assertThat(result.messages()).singleElement()
        .satisfies(m -> assertThat(m.fix()).isEqualTo("write STRICT (enum values are case-sensitive)"));
  }

  @Test
  void portLevelMtlsNeedsASelector() {
    ParsedResource result = Yaml.one("""
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: default, namespace: foo}
        spec:
          mtls: {mode: STRICT}
          portLevelMtls:
            8080: {mode: DISABLE}
        """);
    assertThat(result.valid()).isFalse();
    assertThat(result.messages()).extracting(Message::detail)
        .anyMatch(d -> d.startsWith("portLevelMtls on a mesh- or namespace-wide policy"));
  }

  @Test
  void authorizationPolicyRulesAndCustomProvider() {
    AuthorizationPolicy policy = Yaml.valid("""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: ext-authz, namespace: foo}
        spec:
          selector: {matchLabels: {app: httpbin}}
          action: CUSTOM
          provider: {name: my-ext-authz}
          rules:
          - to:
            - operation: {paths: ["/admin/*"], methods: [GET]}
            when:
            - key: request.headers[x-user]
              notValues: [guest]
        """);
    assertThat(policy.action()).isEqualTo(AuthorizationPolicy.Action.CUSTOM);
    assertThat(policy.provider()).contains("my-ext-authz");
    assertThat(policy.rules().get(0).to().get(0).paths()).containsExactly("/admin/*");
    assertThat(policy.rules().get(0).when().get(0).notValues()).containsExactly("guest");

    ParsedResource deny = Yaml.one("""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: deny}
        spec: {action: DENY}
        """);
    assertThat(deny.valid()).isFalse();
  }

  @Test
  void requestAuthenticationJwtRules() {
    RequestAuthentication ra = Yaml.valid("""
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata: {name: jwt, namespace: foo}
        spec:
          selector: {matchLabels: {app: httpbin}}
          jwtRules:
          - issuer: testing@secure.istio.io
            jwksUri: https://example.com/jwks.json
            fromHeaders: [{name: x-jwt, prefix: "Bearer "}]
            outputClaimToHeaders: [{header: x-sub, claim: sub}]
        """);
    RequestAuthentication.JwtRule rule = ra.jwtRules().get(0);
    assertThat(rule.issuer()).isEqualTo("testing@secure.istio.io");
    assertThat(rule.fromHeaders()).containsExactly(new RequestAuthentication.JwtHeader("x-jwt",
        java.util.Optional.of("Bearer ")));
    assertThat(rule.outputClaimToHeaders()).containsExactly(new RequestAuthentication.ClaimToHeader("x-sub", "sub"));
  }

  @Test
  void localityFailoverAndConsistentHash() {
    DestinationRule dr = Yaml.valid("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: helloworld}
        spec:
          host: helloworld
          trafficPolicy:
            loadBalancer:
              consistentHash: {httpCookie: {name: user, ttl: 0s}, ringHash: {minimumRingSize: 1024}}
              localityLbSetting:
                enabled: true
                failover: [{from: us-east, to: eu-west}]
                failoverPriority: [topology.kubernetes.io/region]
            outlierDetection: {consecutive5xxErrors: 1, interval: 1s, baseEjectionTime: 1m}
        """);
    DestinationRule.LoadBalancer lb = dr.trafficPolicy().orElseThrow().loadBalancer().orElseThrow();
    assertThat(lb.consistentHash().orElseThrow().httpCookie().orElseThrow().name()).isEqualTo("user");
    assertThat(lb.consistentHash().orElseThrow().ringHashMinimumRingSize()).contains(1024L);
    assertThat(lb.localityLbSetting().orElseThrow().failover())
        .containsExactly(new DestinationRule.Failover("us-east", "eu-west"));
    DestinationRule.OutlierDetection outlier = dr.trafficPolicy().orElseThrow().outlierDetection().orElseThrow();
    assertThat(outlier.maxEjectionPercent()).isEqualTo(10); // Istio's default
    assertThat(outlier.baseEjectionTime()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void failoverWithoutOutlierDetectionIsFlagged() {
    ParsedResource result = Yaml.one("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: helloworld}
        spec:
          host: helloworld
          trafficPolicy:
            loadBalancer:
              localityLbSetting: {failover: [{from: us-east, to: eu-west}]}
        """);
    assertThat(result.valid()).isTrue();
    assertThat(result.messages()).singleElement()
        .satisfies(m -> assertThat(m.type()).isEqualTo(MessageType.SUSPICIOUS_VALUE));
  }

  @Test
  void gatewayTlsModesNeedTheRightCredentials() {
    ParsedResource result = Yaml.one("""
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: ingress}
        spec:
          servers:
          - port: {number: 443, name: https, protocol: HTTPS}
            hosts: ["*"]
            tls: {mode: SIMPLE}
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: ["*"]
            tls: {httpsRedirect: true}
        """);
    assertThat(result.valid()).isFalse();
    assertThat(result.messages()).singleElement().satisfies(m -> {
      assertThat(m.field()).isEqualTo("spec.servers[0].tls");
      assertThat(m.fix()).contains("credentialName");
    });
  }

  @Test
  void serviceEntryStaticEndpoints() {
    ServiceEntry se = Yaml.valid("""
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: db}
        spec:
          hosts: [db.internal]
          location: MESH_INTERNAL
          ports: [{number: 5432, name: tcp-pg, protocol: TCP}]
          resolution: STATIC
          endpoints:
          - address: 10.0.0.5
            labels: {version: v1}
            locality: us-east/zone1
            ports: {tcp-pg: 6432}
        """);
    assertThat(se.location()).isEqualTo(ServiceEntry.Location.MESH_INTERNAL);
    assertThat(se.endpoints().get(0).ports()).containsEntry("tcp-pg", 6432);
    ParsedResource dnsRoundRobin = Yaml.one("""
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: ext}
        spec: {hosts: [api.example.com], ports: [{number: 443, name: https, protocol: HTTPS}], resolution: DNS_ROUND_ROBIN}
        """);
    assertThat(dnsRoundRobin.messages()).extracting(Message::type).containsExactly(MessageType.UNSUPPORTED_FIELD);
  }

  @Test
  void shortHostNamesResolveAgainstTheObjectsNamespace() {
    assertThat(HostNames.resolve("reviews", "prod", "cluster.local")).isEqualTo("reviews.prod.svc.cluster.local");
    assertThat(HostNames.resolve("reviews.default", "prod", "cluster.local")).isEqualTo("reviews.default");
    assertThat(HostNames.resolve("*", "prod", "cluster.local")).isEqualTo("*");
    assertThat(HostNames.matches("*.example.com", "a.example.com")).isTrue();
    assertThat(HostNames.matches("*.example.com", "example.com")).isFalse();
  }

  @Test
  void durationsParseGoSyntax() {
    assertThat(Durations.parse("1.5s")).contains(Duration.ofMillis(1500));
    assertThat(Durations.parse("1h30m")).contains(Duration.ofMinutes(90));
    assertThat(Durations.parse("250us")).contains(Duration.ofNanos(250_000));
    assertThat(Durations.parse("10")).isEmpty();
    assertThat(Durations.parse("-1s")).isEmpty();
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
  }
}
