package io.meshfed.control.plane.xds;

import static io.meshfed.control.client.xds.XdsResourceType.CLUSTER;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.meshfed.control.client.xds.GatewayRole;
import io.meshfed.control.client.xds.NodeIdentity;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.common.GrpcStatus;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The :15012 listener: mTLS with certificates made in the test, and the client-identity callback. */
class MtlsListenerTest {
    private static final String GROUP = "east/eastwest";

    private final TestCertificates pki = new TestCertificates();
    private final Vertx vertx = Vertx.vertx();
    private final List<String> verifiedSpiffeIds = new CopyOnWriteArrayList<>();
    private final XdsServer server;
    private GrpcClient grpc;

    MtlsListenerTest() {
        // The callback the trust module will provide: the SPIFFE id must name the node's namespace.
        ClientIdentityVerifier verifier = (chain, node) -> {
            String spiffe = uriSan(chain.get(0));
            String ns = NodeIdentity.of(node).namespace();
            if (!spiffe.startsWith("spiffe://cluster.local/ns/" + ns + "/")) {
                return Future.failedFuture("SAN " + spiffe + " (expected: spiffe://cluster.local/ns/" + ns + "/...)");
            }
            verifiedSpiffeIds.add(spiffe);
            return Future.succeededFuture();
        };
        server = XdsServer.builder(vertx).withoutPlaintext()
                .mtls("127.0.0.1", 0, new ServerSSLOptions().setKeyCertOptions(pki.server())
                        .setTrustOptions(pki.trust()), verifier)
                .debounce(XdsServerFixture.FAST).meterRegistry(new SimpleMeterRegistry()).build();
        RawAdsStream.await(server.start());
        RawAdsStream.await(server.snapshots().setSnapshot(GROUP,
                Snapshot.builder().add(CLUSTER, TestResources.edsCluster("a")).build()));
    }

    @AfterEach
    void close() {
        if (grpc != null) {
            RawAdsStream.await(grpc.close());
        }
        RawAdsStream.await(server.close());
        RawAdsStream.await(vertx.close());
    }

    private static String uriSan(X509Certificate cert) {
        try {
            return cert.getSubjectAlternativeNames().stream().filter(s -> (Integer) s.get(0) == 6)
                    .map(s -> (String) s.get(1)).findFirst().orElse("");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private GrpcClient tlsClient(PemKeyCertOptions clientCert) {
        HttpClientOptions http = new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setSsl(true)
                .setUseAlpn(true).setTrustOptions(pki.trust());
        if (clientCert != null) {
            http.setKeyCertOptions(clientCert);
        }
        grpc = GrpcClient.client(vertx, http);
        return grpc;
    }

    private SocketAddress address() {
        return SocketAddress.inetSocketAddress(server.mtlsPort(), "127.0.0.1");
    }

    private static DiscoveryRequest firstRequest() {
        return DiscoveryRequest.newBuilder().setTypeUrl(CLUSTER.typeUrl())
                .setNode(TestResources.node("ew-1", "east", GatewayRole.EASTWEST)).build();
    }

    @Test
    void gatewayWithAnSvidOfItsNamespaceIsServed() {
        var stream = RawAdsStream.sotw(tlsClient(pki.client("spiffe://cluster.local/ns/istio-system/sa/ew")),
                address()).send(firstRequest());

        DiscoveryResponse r = stream.next();

        assertThat(r.getResourcesCount()).isEqualTo(1);
        assertThat(verifiedSpiffeIds).containsExactly("spiffe://cluster.local/ns/istio-system/sa/ew");
        assertThat(RawAdsStream.await(server.status().proxyStatuses())).singleElement()
                .satisfies(p -> assertThat(p.tls()).isTrue());
    }

    @Test
    void certificateOfAnotherNamespaceIsRefusedWithPermissionDenied() {
        var stream = RawAdsStream.sotw(tlsClient(pki.client("spiffe://cluster.local/ns/other/sa/ew")), address())
                .send(firstRequest());

        assertThat(stream.awaitEnd()).isEqualTo(GrpcStatus.PERMISSION_DENIED);
        assertThat(stream.endMessage).contains("spiffe://cluster.local/ns/other/sa/ew")
                .contains("expected: spiffe://cluster.local/ns/istio-system/");
        assertThat(RawAdsStream.await(server.status().proxyStatuses())).isEmpty();
    }

    @Test
    void clientWithoutCertificateCannotOpenAStream() throws Exception {
        GrpcClient client = tlsClient(null);
        Future<GrpcClientRequest<DiscoveryRequest, DiscoveryResponse>> request = client.request(address(),
                RawAdsStream.SOTW);
        Future<?> outcome = request.compose(call -> call.send(firstRequest()));
        assertThat(outcome.toCompletionStage().toCompletableFuture().handle((ok, err) -> err)
                .get(10, TimeUnit.SECONDS)).as("the TLS handshake or the stream fails").isNotNull();
        assertThat(verifiedSpiffeIds).isEmpty();
    }
}
