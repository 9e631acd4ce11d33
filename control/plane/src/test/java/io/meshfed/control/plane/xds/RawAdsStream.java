package io.meshfed.control.plane.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A hand-driven ADS stream for protocol tests: the test writes each request and reads each response, so it can
 * play a well-behaved gateway, a NACKing one, a stale one, or one that vanishes.
 */
final class RawAdsStream<Q, R> {
    static final ServiceMethod<DiscoveryResponse, DiscoveryRequest> SOTW = ServiceMethod.client(XdsServer.ADS,
            "StreamAggregatedResources", GrpcMessageEncoder.encoder(),
            GrpcMessageDecoder.decoder(DiscoveryResponse.newBuilder()));
    static final ServiceMethod<DeltaDiscoveryResponse, DeltaDiscoveryRequest> DELTA = ServiceMethod.client(
            XdsServer.ADS, "DeltaAggregatedResources", GrpcMessageEncoder.encoder(),
            GrpcMessageDecoder.decoder(DeltaDiscoveryResponse.newBuilder()));

    private final GrpcClientRequest<Q, R> call;
    private final LinkedBlockingQueue<R> responses = new LinkedBlockingQueue<>();
    final CompletableFuture<GrpcStatus> ended = new CompletableFuture<>();
    volatile String endMessage;

    private RawAdsStream(GrpcClientRequest<Q, R> call) {
        this.call = call;
        call.response().onComplete(ar -> {
            if (ar.failed()) {
                ended.complete(GrpcStatus.UNKNOWN);
                return;
            }
            GrpcClientResponse<Q, R> response = ar.result();
            response.handler(responses::add);
            response.endHandler(v -> {
                endMessage = response.statusMessage();
                ended.complete(response.status());
            });
            response.exceptionHandler(e -> ended.complete(GrpcStatus.UNAVAILABLE));
        });
    }

    static RawAdsStream<DiscoveryRequest, DiscoveryResponse> sotw(GrpcClient client, SocketAddress server) {
        return new RawAdsStream<>(await(client.request(server, SOTW)));
    }

    static RawAdsStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse> delta(GrpcClient client,
            SocketAddress server) {
        return new RawAdsStream<>(await(client.request(server, DELTA)));
    }

    RawAdsStream<Q, R> send(Q request) {
        await(call.write(request));
        return this;
    }

    R next() {
        try {
            R r = responses.poll(10, TimeUnit.SECONDS);
            assertThat(r).as("a response within 10 s").isNotNull();
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Asserts nothing arrives for a while (used after the debounce has certainly elapsed). */
    void expectNothingFor(Duration quiet) {
        try {
            R r = responses.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(r).as("no response expected").isNull();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    GrpcStatus awaitEnd() {
        try {
            return ended.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("stream did not end", e);
        }
    }

    void cancel() {
        call.cancel();
    }

    void close() {
        call.end();
    }

    static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
