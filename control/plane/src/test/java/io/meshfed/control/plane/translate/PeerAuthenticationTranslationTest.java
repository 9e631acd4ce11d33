package io.meshfed.control.plane.translate;

import static io.meshfed.control.plane.translate.MeshFixture.INGRESS;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * PeerAuthentication from YAML to xDS. A gateway is a client of the workloads it routes to: Istio's auto mTLS sends
 * Istio mTLS to a sidecar endpoint unless the mode in force for that workload and port is DISABLE, and the mode in
 * force is the workload policy's port-level mode, else its mode, else the namespace policy's, else the mesh policy's
 * (the root namespace's), else PERMISSIVE. Each endpoint carries the decision as its
 * {@code envoy.transport_socket_match} metadata, which picks the cluster's {@code tlsMode-istio} socket.
 */
class PeerAuthenticationTranslationTest {

  private static final String WEB = "outbound|8000||web.shop.svc.cluster.local";
  private static final String API = "outbound|8000||api.billing.svc.cluster.local";

  private static final String POLICIES = """
      apiVersion: security.istio.io/v1
      kind: PeerAuthentication
      metadata: {name: default, namespace: istio-system}
      spec:
        mtls: {mode: STRICT}
      ---
      apiVersion: security.istio.io/v1
      kind: PeerAuthentication
      metadata: {name: default, namespace: shop}
      spec:
        mtls: {mode: DISABLE}
      ---
      apiVersion: security.istio.io/v1
      kind: PeerAuthentication
      metadata: {name: web-v2, namespace: shop}
      spec:
        selector: {matchLabels: {version: v2}}
        mtls: {mode: STRICT}
      ---
      apiVersion: security.istio.io/v1
      kind: PeerAuthentication
      metadata: {name: web-v3, namespace: shop}
      spec:
        selector: {matchLabels: {version: v3}}
        mtls: {mode: STRICT}
        portLevelMtls:
          8000: {mode: DISABLE}
      ---
      """;

  private static MeshFixture mesh(String policies) {
    return new MeshFixture().ingress()
        .file("k8s.yaml", Kube.service("shop", "web", "http:8000")
            + Kube.endpoints("shop", "web", "http", 8000,
                "w-1/10.1.0.1/security.istio.io/tlsMode=istio,version=v1",
                "w-2/10.1.0.2/security.istio.io/tlsMode=istio,version=v2",
                "w-3/10.1.0.3/security.istio.io/tlsMode=istio,version=v3",
                "w-4/10.1.0.4/version=v2")
            + Kube.service("billing", "api", "http:8000")
            + Kube.endpoints("billing", "api", "http", 8000, "a-1/10.2.0.1/security.istio.io/tlsMode=istio"))
        .file("routes.yaml", MeshFixture.EDGE_GATEWAY + """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: edge, namespace: istio-system}
            spec:
              hosts: ["*"]
              gateways: [edge]
              http:
              - match: [{uri: {prefix: /billing}}]
                route: [{destination: {host: api.billing.svc.cluster.local, port: {number: 8000}}}]
              - route: [{destination: {host: web.shop.svc.cluster.local, port: {number: 8000}}}]
            """)
        .file("peer.yaml", policies);
  }

  /** Endpoint address → its socket match ("istio", or "-" for none). */
  private static Map<String, String> tlsModes(ClusterLoadAssignment assignment) {
    Map<String, String> modes = new TreeMap<>();
    for (var locality : assignment.getEndpointsList()) {
      for (LbEndpoint endpoint : locality.getLbEndpointsList()) {
        var match = endpoint.getMetadata().getFilterMetadataMap().get("envoy.transport_socket_match");
        modes.put(endpoint.getEndpoint().getAddress().getSocketAddress().getAddress(),
            match == null ? "-" : match.getFieldsOrThrow("tlsMode").getStringValue());
      }
    }
    return modes;
  }

  @Test
  void workloadPortLevelThenWorkloadThenNamespaceThenMeshDecideEachSidecarEndpoint() {
    MeshFixture fx = mesh(POLICIES);
    fx.translate();

    assertThat(tlsModes(fx.endpoints(INGRESS, WEB))).containsExactlyInAnyOrderEntriesOf(Map.of(
        "10.1.0.1", "-", // the namespace's DISABLE
        "10.1.0.2", "istio", // the workload's STRICT over the namespace's DISABLE
        "10.1.0.3", "-", // the workload's port-level DISABLE over its STRICT
        "10.1.0.4", "-")); // no sidecar: plaintext whatever the policy
    assertThat(tlsModes(fx.endpoints(INGRESS, API))).containsExactly(Map.entry("10.2.0.1", "istio")); // the mesh's
    assertThat(fx.cluster(INGRESS, WEB).getTransportSocketMatchesList()).extracting(Cluster.TransportSocketMatch::getName)
        .containsExactly("tlsMode-istio", "tlsMode-disabled");
    assertThat(fx.last.problems()).isEmpty();
  }

  @Test
  void changingAPolicyReachesTheEndpointsOfTheNextTranslation() {
    MeshFixture fx = mesh(POLICIES);
    fx.translate();
    assertThat(tlsModes(fx.endpoints(INGRESS, WEB))).containsEntry("10.1.0.1", "-");

    // Without the namespace policy, the mesh's STRICT is in force for v1; the port-level DISABLE still holds for v3.
    fx.file("peer.yaml", POLICIES.replace("""
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: default, namespace: shop}
        spec:
          mtls: {mode: DISABLE}
        ---
        """, ""));
    fx.translate();
    assertThat(tlsModes(fx.endpoints(INGRESS, WEB))).containsExactlyInAnyOrderEntriesOf(Map.of(
        "10.1.0.1", "istio", "10.1.0.2", "istio", "10.1.0.3", "-", "10.1.0.4", "-"));

    // No policy at all: PERMISSIVE, so every sidecar gets Istio mTLS.
    fx.file("peer.yaml", "");
    fx.translate();
    assertThat(tlsModes(fx.endpoints(INGRESS, WEB))).containsExactlyInAnyOrderEntriesOf(Map.of(
        "10.1.0.1", "istio", "10.1.0.2", "istio", "10.1.0.3", "istio", "10.1.0.4", "-"));
  }
}
