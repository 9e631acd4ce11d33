package io.meshfed.control.client.runtime;

import static io.meshfed.control.client.runtime.RuntimeFixture.await;
import static io.meshfed.control.client.runtime.RuntimeFixture.awaitCondition;
import static io.meshfed.control.client.runtime.RuntimeFixture.get;
import static io.meshfed.control.client.runtime.RuntimeFixture.post;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DrainTest {

  private final Vertx vertx = Vertx.vertx();
  private GatewayRuntime runtime;

  @AfterEach
  void close() throws Exception {
    if (runtime != null) {
      await(runtime.close());
    }
    await(vertx.close());
  }

  /**
   * A data plane as the gateways build one: a Vert.x HTTP server whose requests take {@code delayMillis}, counting
   * requests in flight, stopping acceptance with Vert.x's graceful shutdown.
   */
  static final class SlowHttpDataPlane implements Drainable {
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicBoolean forced = new AtomicBoolean();
    private final HttpServer server;

    SlowHttpDataPlane(Vertx vertx, long delayMillis) throws Exception {
      server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
          .requestHandler(request -> {
            inFlight.incrementAndGet();
            vertx.setTimer(delayMillis, timer -> request.response().end("done").onComplete(ignored ->
                inFlight.decrementAndGet()));
          });
      await(server.listen());
    }

    int port() {
      return server.actualPort();
    }

    @Override
    public String name() {
      return "listener 0.0.0.0_8080";
    }

    @Override
    public Future<Void> stopAccepting() {
      return server.shutdown(Duration.ofMinutes(1).toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public int inFlight() {
      return inFlight.get();
    }

    @Override
    public Future<Void> closeRemaining() {
      forced.set(true);
      return server.close();
    }
  }

  /** A data plane whose work never finishes by itself. */
  static final class StuckDataPlane implements Drainable {
    final AtomicInteger inFlight;
    final AtomicBoolean stopped = new AtomicBoolean();
    final AtomicBoolean forced = new AtomicBoolean();

    StuckDataPlane(int inFlight) {
      this.inFlight = new AtomicInteger(inFlight);
    }

    @Override
    public String name() {
      return "listener 0.0.0.0_15443";
    }

    @Override
    public Future<Void> stopAccepting() {
      stopped.set(true);
      return Future.succeededFuture();
    }

    @Override
    public int inFlight() {
      return inFlight.get();
    }

    @Override
    public Future<Void> closeRemaining() {
      forced.set(true);
      inFlight.set(0);
      return Future.succeededFuture();
    }
  }

  private static boolean refuses(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return false;
    } catch (ConnectException refused) {
      return true;
    } catch (IOException other) {
      return false;
    }
  }

  @Test
  void adminPostDrainsLetsInFlightRequestsFinishAndStopsAccepting() throws Exception {
    runtime = await(RuntimeFixture.runtime(vertx).certificateRequired(false).drainTimeout(Duration.ofSeconds(10))
        .build().start());
    runtime.readiness().configAccepted("v1");
    SlowHttpDataPlane dataPlane = new SlowHttpDataPlane(vertx, 800);
    runtime.register(dataPlane);
    assertThat(get("http://127.0.0.1:" + runtime.healthPort() + "/healthz/ready").statusCode()).isEqualTo(200);

    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    CompletableFuture<HttpResponse<String>> slow = client.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dataPlane.port() + "/slow")).build(),
        HttpResponse.BodyHandlers.ofString());
    awaitCondition("the slow request is in flight", () -> dataPlane.inFlight() == 1);

    HttpResponse<String> drain = post("http://127.0.0.1:" + runtime.adminPort() + "/drain_listeners");
    assertThat(drain.statusCode()).isEqualTo(202);

    // Not ready at once, saying why, while the request is still running.
    HttpResponse<String> ready = get("http://127.0.0.1:" + runtime.healthPort() + "/healthz/ready");
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).startsWith("not ready (DRAINING):")
        .contains("draining (admin POST /drain_listeners): 1 in flight");
    assertThat(get("http://127.0.0.1:" + runtime.adminPort() + "/ready").body()).isEqualTo("DRAINING\n");
    awaitCondition("the listener refuses new connections", () -> refuses(dataPlane.port()));

    // The in-flight request completes normally.
    HttpResponse<String> finished = slow.get(10, TimeUnit.SECONDS);
    assertThat(finished.statusCode()).isEqualTo(200);
    assertThat(finished.body()).isEqualTo("done");

    DrainReport report = await(runtime.drain("a second request"));
    assertThat(report.reason()).isEqualTo("admin POST /drain_listeners");
    assertThat(report.clean()).isTrue();
    assertThat(report.inFlightAtStart()).isEqualTo(1);
    assertThat(dataPlane.forced).isFalse();
    assertThat(runtime.readiness().check().reasons()).anySatisfy(reason -> assertThat(reason).startsWith("drained"));
  }

  @Test
  void theDeadlineClosesWhatIsLeft() throws Exception {
    runtime = await(RuntimeFixture.runtime(vertx).drainTimeout(Duration.ofMillis(300)).build().start());
    StuckDataPlane stuck = new StuckDataPlane(3);
    StuckDataPlane idle = new StuckDataPlane(0);
    runtime.register(stuck);
    runtime.register(idle);

    DrainReport report = await(runtime.drain("SIGTERM"));

    assertThat(stuck.stopped).isTrue();
    assertThat(idle.stopped).isTrue();
    assertThat(stuck.forced).isTrue();
    assertThat(report.clean()).isFalse();
    assertThat(report.inFlightAtStart()).isEqualTo(3);
    assertThat(report.forceClosed()).isEqualTo(3);
    assertThat(report.took()).isGreaterThanOrEqualTo(Duration.ofMillis(300));
  }

  @Test
  void nothingInFlightDrainsAtOnce() throws Exception {
    runtime = await(RuntimeFixture.runtime(vertx).drainTimeout(Duration.ofSeconds(30)).build().start());
    StuckDataPlane idle = new StuckDataPlane(0);
    runtime.register(idle);
    DrainReport report = await(runtime.drain("test"));
    assertThat(report.clean()).isTrue();
    assertThat(report.took()).isLessThan(Duration.ofSeconds(5));
    assertThat(idle.stopped).isTrue();
  }

  @Test
  void unregisteredListenersAreNotDrained() throws Exception {
    runtime = await(RuntimeFixture.runtime(vertx).drainTimeout(Duration.ofMillis(100)).build().start());
    StuckDataPlane removed = new StuckDataPlane(5);
    runtime.register(removed);
    runtime.unregister(removed);
    assertThat(await(runtime.drain("test")).clean()).isTrue();
    assertThat(removed.stopped).isFalse();
  }

  @Test
  void inFlightIsAMetric() throws Exception {
    runtime = await(RuntimeFixture.runtime(vertx).build().start());
    runtime.register(new StuckDataPlane(7));
    assertThat(get("http://127.0.0.1:" + runtime.metricsPort() + "/stats/prometheus").body())
        .contains("meshfed_gateway_in_flight 7.0");
  }
}
