package io.meshfed.gateway.l7;

import io.meshfed.gateway.l7.config.ApplyResult;
import io.meshfed.gateway.l7.config.XdsResources;
import io.meshfed.gateway.l7.testing.Await;
import io.meshfed.gateway.l7.testing.Backend;
import io.meshfed.gateway.l7.testing.Http;
import io.meshfed.gateway.l7.testing.RecordingSink;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A running engine on loopback, Vert.x backends, a test client and recorded outcomes. */
public abstract class EngineTestBase {

  protected Vertx vertx;
  protected L7Engine engine;
  protected RecordingSink outcomes;
  protected Http http;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void startEngine() {
    vertx = Vertx.vertx();
    outcomes = new RecordingSink();
    engine = configure(L7Engine.builder(vertx).workers(2).outcomeSink(outcomes)).build();
    http = new Http(vertx);
  }

  /** Subclasses adjust the engine (role, limits). */
  protected L7Engine.Builder configure(L7Engine.Builder builder) {
    return builder;
  }

  @AfterEach
  void stopEngine() throws Exception {
    http.close();
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
    Await.result(engine.close());
    Await.result(vertx.close());
  }

  protected <T extends AutoCloseable> T closeLater(T closeable) {
    closeables.add(closeable);
    return closeable;
  }

  protected Backend backend(String name) throws Exception {
    return closeLater(Backend.start(vertx, name, "127.0.0.1"));
  }

  protected Backend backend(String name, String host) throws Exception {
    return closeLater(Backend.start(vertx, name, host));
  }

  /** Applies and expects no refusal. */
  protected ApplyResult apply(XdsResources resources) throws Exception {
    ApplyResult result = Await.result(engine.apply(resources));
    if (!result.accepted()) {
      throw new AssertionError("refused: " + result.errors());
    }
    return result;
  }

  protected int port(String listener) {
    Integer port = engine.port(listener);
    if (port == null) {
      throw new AssertionError("listener " + listener + " is not bound");
    }
    return port;
  }
}
