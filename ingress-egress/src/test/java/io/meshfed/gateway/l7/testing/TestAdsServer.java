package io.meshfed.gateway.l7.testing;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A state-of-the-world ADS server for process tests: serves hand-built resources per type URL, answers each type's
 * first request, pushes {@link #set} to open streams, and records every ACK and NACK.
 */
public final class TestAdsServer implements AutoCloseable {

  private static final ServiceName ADS = ServiceName.create("envoy.service.discovery.v3.AggregatedDiscoveryService");

  /** One ACK or NACK from the gateway. */
  public record Answer(String typeUrl, String version, String nonce, String error) {
    public boolean nack() {
      return !error.isEmpty();
    }
  }

  private record Current(String version, List<Any> resources) {
  }

  private final Vertx vertx;
  private final HttpServer http;
  private final Map<String, Current> current = new ConcurrentHashMap<>();
  private final List<GrpcServerRequest<DiscoveryRequest, DiscoveryResponse>> streams = new CopyOnWriteArrayList<>();
  private final List<DiscoveryRequest> firstRequests = new CopyOnWriteArrayList<>();
  private final List<Answer> answers = new CopyOnWriteArrayList<>();
  private final AtomicLong nonces = new AtomicLong();

  public TestAdsServer(String host) {
    vertx = Vertx.vertx();
    GrpcServer grpc = GrpcServer.server(vertx);
    ServiceMethod<DiscoveryRequest, DiscoveryResponse> sotw = ServiceMethod.server(ADS, "StreamAggregatedResources",
        GrpcMessageEncoder.encoder(), GrpcMessageDecoder.decoder(DiscoveryRequest.newBuilder()));
    grpc.callHandler(sotw, call -> {
          streams.add(call);
          call.handler(request -> onRequest(call, request));
          call.endHandler(v -> streams.remove(call));
          call.exceptionHandler(e -> streams.remove(call));
        });
    http = vertx.createHttpServer().requestHandler(grpc).listen(0, host).toCompletionStage().toCompletableFuture()
        .join();
  }

  public int port() {
    return http.actualPort();
  }

  /** The first request of each stream and type (they carry the node on the first). */
  public List<DiscoveryRequest> firstRequests() {
    return firstRequests;
  }

  public List<Answer> answers() {
    return answers;
  }

  /** The answer to version {@code version} of {@code typeUrl}, or null if none yet. */
  public Answer answer(String typeUrl, String version) {
    return answers.stream().filter(a -> a.typeUrl.equals(typeUrl) && a.version.equals(version)).findFirst()
        .orElse(null);
  }

  /** Serves (and pushes) this state of one type. */
  public void set(String version, List<? extends Message> resources) {
    String typeUrl = Any.pack(resources.get(0)).getTypeUrl();
    set(typeUrl, version, resources);
  }

  public void set(String typeUrl, String version, List<? extends Message> resources) {
    Current state = new Current(version, resources.stream().map(Any::pack).toList());
    current.put(typeUrl, state);
    for (GrpcServerRequest<DiscoveryRequest, DiscoveryResponse> stream : streams) {
      vertx.runOnContext(v -> send(stream, typeUrl, state));
    }
  }

  private void onRequest(GrpcServerRequest<DiscoveryRequest, DiscoveryResponse> call, DiscoveryRequest request) {
    if (request.getResponseNonce().isEmpty()) {
      firstRequests.add(request);
      Current state = current.get(request.getTypeUrl());
      if (state != null) {
        send(call, request.getTypeUrl(), state);
      }
      return;
    }
    String sentVersion = sent.getOrDefault(request.getResponseNonce(), "");
    answers.add(new Answer(request.getTypeUrl(), sentVersion, request.getResponseNonce(),
        request.hasErrorDetail() ? request.getErrorDetail().getMessage() : ""));
  }

  private final Map<String, String> sent = new ConcurrentHashMap<>();

  private void send(GrpcServerRequest<DiscoveryRequest, DiscoveryResponse> call, String typeUrl, Current state) {
    String nonce = "n" + nonces.incrementAndGet();
    sent.put(nonce, state.version);
    call.response().write(DiscoveryResponse.newBuilder().setTypeUrl(typeUrl).setVersionInfo(state.version)
        .setNonce(nonce).addAllResources(state.resources).build());
  }

  @Override
  public void close() {
    http.close().toCompletionStage().toCompletableFuture().join();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }
}
