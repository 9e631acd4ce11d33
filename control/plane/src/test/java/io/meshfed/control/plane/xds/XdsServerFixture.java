package io.meshfed.control.plane.xds;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/** A running ADS server on an ephemeral loopback port, with a raw gRPC client to drive it. */
final class XdsServerFixture implements AutoCloseable {
    static final DebounceOptions FAST = new DebounceOptions(Duration.ofMillis(50), Duration.ofSeconds(2));

    final Vertx vertx = Vertx.vertx();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final XdsServer server;
    final GrpcClient grpc;

    XdsServerFixture(DebounceOptions debounce) {
        server = XdsServer.builder(vertx).plaintext("127.0.0.1", 0).debounce(debounce).meterRegistry(registry)
                .build();
        RawAdsStream.await(server.start());
        grpc = GrpcClient.client(vertx, new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
    }

    SocketAddress address() {
        return SocketAddress.inetSocketAddress(server.plaintextPort(), "127.0.0.1");
    }

    void set(String group, Snapshot snapshot) {
        RawAdsStream.await(server.snapshots().setSnapshot(group, snapshot));
    }

    List<ProxyStatus> statuses() {
        return RawAdsStream.await(server.status().proxyStatuses());
    }

    /** Polls the status until it satisfies the condition (deadline 10 s). */
    List<ProxyStatus> awaitStatus(Predicate<List<ProxyStatus>> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<ProxyStatus> last = statuses();
        while (!condition.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("status condition not met within 10 s: " + last);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            last = statuses();
        }
        return last;
    }

    double counter(String name, String type) {
        var c = registry.find(name).tag("type", type).counter();
        return c == null ? 0 : c.count();
    }

    @Override
    public void close() {
        RawAdsStream.await(grpc.close());
        RawAdsStream.await(server.close());
        RawAdsStream.await(vertx.close());
    }
}
