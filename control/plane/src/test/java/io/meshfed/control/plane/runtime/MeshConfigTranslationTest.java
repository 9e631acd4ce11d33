package io.meshfed.control.plane.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.meshfed.control.client.xds.GatewayRole;
import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.control.plane.config.ConfigSnapshot;
import io.meshfed.control.plane.config.RawResource;
import io.meshfed.control.plane.config.SnapshotBuilder;
import io.meshfed.control.plane.config.SourceContents;
import io.meshfed.control.plane.istio.MeshSettings;
import io.meshfed.control.plane.istio.Origin;
import io.meshfed.control.plane.istio.ResourceParser;
import io.meshfed.control.plane.istio.YamlDocuments;
import io.meshfed.control.plane.translate.GatewayGroup;
import io.meshfed.control.plane.translate.GatewayGrouping;
import io.meshfed.control.plane.translate.MeshFixture;
import io.meshfed.control.plane.xds.Snapshot;
import io.meshfed.federation.catalog.Locality;
import io.meshfed.trust.TrustBundle;
import io.meshfed.trust.TrustDomain;
import io.meshfed.trust.ca.CaCertificates;
import io.meshfed.trust.ca.KeyAlgorithm;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The settings' {@code meshConfig} reaches what the running control plane's translation ({@link MeshTranslation})
 * gives an ingress gateway: a CUSTOM AuthorizationPolicy naming a provider from {@code extensionProviders} becomes
 * an ext_authz filter calling the provider's cluster, and {@code defaultConfig.tracing.sampling} the connection
 * manager's random sampling.
 */
class MeshConfigTranslationTest {

  private static final String GROUP = "east/ingress/istio-ingressgateway";
  private static final String AUTHORIZER_CLUSTER = "outbound|8181||opa.authz.svc.cluster.local";

  @TempDir
  Path dir;

  private static final String CONFIG = """
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: shop}
      spec:
        ports: [{name: http, port: 8000}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: opa, namespace: authz}
      spec:
        ports: [{name: http, port: 8181}]
      ---
      """ + MeshFixture.EDGE_GATEWAY + """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: web, namespace: shop}
      spec:
        hosts: ["*"]
        gateways: ["istio-system/edge"]
        http:
        - route:
          - destination: {host: web.shop.svc.cluster.local}
      ---
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: ext, namespace: istio-system}
      spec:
        selector: {matchLabels: {istio: ingressgateway}}
        action: CUSTOM
        provider: {name: opa}
        rules:
        - to: [{operation: {paths: ["/secure/*"]}}]
      """;

  @Test
  void aProviderFromTheSettingsServesACustomPolicyAndSamplingReachesTheConnectionManager() throws Exception {
    MeshTranslation translation = translation("""
        meshConfig:
          extensionProviders:
          - name: opa
            envoyExtAuthzHttp:
              service: opa.authz.svc.cluster.local
              port: 8181
              pathPrefix: /check
              includeRequestHeadersInCheck: [x-user]
              timeout: 300ms
          defaultConfig:
            tracing: {sampling: 12.5}
        """);
    Snapshot snapshot = translate(translation);

    HttpConnectionManager hcm = hcm(snapshot);
    HttpFilter filter = hcm.getHttpFiltersList().stream().filter(f -> f.getName()
        .equals("envoy.filters.http.ext_authz")).findFirst().orElseThrow();
    ExtAuthz extAuthz = filter.getTypedConfig().unpack(ExtAuthz.class);
    assertThat(extAuthz.getHttpService().getServerUri().getCluster()).isEqualTo(AUTHORIZER_CLUSTER);
    assertThat(extAuthz.getHttpService().getServerUri().getTimeout().getNanos()).isEqualTo(300_000_000);
    assertThat(extAuthz.getHttpService().getPathPrefix()).isEqualTo("/check");
    assertThat(extAuthz.getHttpService().getAuthorizationRequest().getAllowedHeaders().getPatterns(0).getExact())
        .isEqualTo("x-user");
    assertThat(snapshot.resources(XdsResourceType.CLUSTER)).containsKey(AUTHORIZER_CLUSTER);
    assertThat(hcm.getTracing().getRandomSampling().getValue()).isEqualTo(12.5);
    assertThat(problemCodes(translation)).doesNotContain("unknown-provider");
  }

  @Test
  void withoutProvidersTheCustomPolicyIsReportedAndSamplingIsIstiosDefault() throws Exception {
    MeshTranslation translation = translation("");
    HttpConnectionManager hcm = hcm(translate(translation));

    assertThat(hcm.getHttpFiltersList()).extracting(HttpFilter::getName)
        .doesNotContain("envoy.filters.http.ext_authz");
    assertThat(hcm.getTracing().getRandomSampling().getValue()).isEqualTo(1.0);
    assertThat(problemCodes(translation)).contains("unknown-provider");
  }

  private MeshTranslation translation(String meshConfig) throws Exception {
    Path file = dir.resolve("control-plane.yaml");
    Files.writeString(file, "clusterId: east\n" + meshConfig);
    GatewayGrouping grouping = GatewayGrouping.create();
    grouping.restore(new GatewayGroup(GROUP, "east", Optional.of(GatewayRole.INGRESS), GatewayGroup.Form.GATEWAY,
        "istio-system", "istio-ingressgateway", Map.of("istio", "ingressgateway"), "", Locality.UNKNOWN));
    return new MeshTranslation(ControlPlaneSettings.load(file, Map.of()), grouping);
  }

  private static Snapshot translate(MeshTranslation translation) throws Exception {
    List<RawResource> resources = new ArrayList<>();
    for (YamlDocuments.Document document : YamlDocuments.read("mesh.yaml", CONFIG)) {
      resources.add(RawResource.document(document.root(), Origin.of("mesh.yaml")));
    }
    ConfigSnapshot config = new SnapshotBuilder(new ResourceParser(MeshSettings.DEFAULT)).build(
        List.of(new SourceContents("mesh.yaml", resources, List.of())), ConfigSnapshot.empty(MeshSettings.DEFAULT));
    var root = CaCertificates.selfSignedRoot(KeyAlgorithm.EC_P256.generate(), TrustDomain.of("cluster.local"),
        "test", Duration.ofDays(1));
    MeshState state = new MeshState(config, io.meshfed.control.plane.translate.RemoteCatalog.empty(), TrustBundle.builder("cluster.local").addRoot(root)
        .build(), 1);
    return translation.translate(state, Set.of(GROUP)).get(GROUP);
  }

  private static HttpConnectionManager hcm(Snapshot snapshot) throws Exception {
    Listener listener = (Listener) XdsResourceType.LISTENER.unpack(snapshot.resources(XdsResourceType.LISTENER)
        .get("0.0.0.0_8080").resource());
    return listener.getFilterChains(0).getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class);
  }

  private static List<String> problemCodes(MeshTranslation translation) {
    List<String> codes = new ArrayList<>();
    translation.report().getJsonArray("problems").forEach(p -> codes.add(((JsonObject) p).getString("code")));
    return codes;
  }
}
