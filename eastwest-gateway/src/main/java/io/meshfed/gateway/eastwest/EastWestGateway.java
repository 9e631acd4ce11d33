package io.meshfed.gateway.eastwest;

import io.meshfed.gateway.eastwest.engine.Engine;
import io.meshfed.gateway.eastwest.hello.ClientHelloDecoder;
import io.meshfed.gateway.eastwest.tls.BoringSslGatewayTls;
import io.meshfed.gateway.eastwest.tls.GatewayTls;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The east-west gateway's data plane: the :15443 SNI router (passthrough and terminate) and the :15001 outbound
 * listener, configured only through {@link #apply} with Envoy v3 resources as docs/xds-profile.md fixes them for
 * {@code ROLE=eastwest}.
 *
 * <p>The ADS client calls {@link #apply} with every accepted update and ACKs or NACKs from the {@link ApplyResult};
 * the runtime kit reads {@link #stats()}, registers a {@link ConnectionObserver} for Istio metrics and the access log,
 * asks {@link #notReadyReasons()} for readiness, and calls {@link #drain} on SIGTERM.
 */
public final class EastWestGateway {

  private final Engine engine;

  private EastWestGateway(Builder builder) {
    this.engine = new Engine(builder.eventLoops, builder.preferNativeTransport, builder.tls, builder.observer,
        builder.maxClientHelloBytes, builder.bindOverrides);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Applies a complete resource set: validated, translated, built, new listeners bound, then published atomically
   * for new connections (established ones keep the snapshot they started with). A refused update changes nothing.
   * Updates are applied in call order.
   */
  public CompletionStage<ApplyResult> apply(XdsResources resources) {
    return engine.apply(Objects.requireNonNull(resources, "resources"));
  }

  public GatewayStats stats() {
    return engine.counters();
  }

  /** The address a listener (by its xDS name, e.g. {@code 0.0.0.0_15443}) is bound to now. */
  public Optional<InetSocketAddress> boundAddress(String listener) {
    return engine.boundAddress(listener);
  }

  /** Empty when ready (config accepted, every referenced secret and route present, not draining); else why not. */
  public List<String> notReadyReasons() {
    return engine.notReadyReasons();
  }

  /** {@code epoll} or {@code nio}. */
  public String transport() {
    return engine.transportName();
  }

  /** Stops accepting connections on every listener; established connections carry on. */
  public CompletionStage<Void> stopAccepting() {
    return engine.stopAccepting();
  }

  /**
   * Graceful drain (SIGTERM): stop accepting, let HTTP connections finish their request in flight and close, let TCP
   * streams run, and close whatever is still open at {@code deadline}.
   */
  public CompletionStage<DrainResult> drain(Duration deadline) {
    return engine.drain(Objects.requireNonNull(deadline, "deadline"))
        .thenApply(result -> new DrainResult(result.closedGracefully(), result.forced()));
  }

  /** Closes every listener and connection and stops the event loops. */
  public CompletionStage<Void> shutdown() {
    return engine.close();
  }

  /** {@link #shutdown()} and wait (for mains and tests; never call it on an event loop). */
  public void close() {
    try {
      engine.close().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("east-west gateway did not stop within 10 s", e);
    }
  }

  /** Builds a gateway; every argument is checked as it arrives. */
  public static final class Builder {

    private int eventLoops = Runtime.getRuntime().availableProcessors();
    private boolean preferNativeTransport = true;
    private GatewayTls tls = new BoringSslGatewayTls();
    private ConnectionObserver observer = ConnectionObserver.NONE;
    private int maxClientHelloBytes = ClientHelloDecoder.DEFAULT_MAX_BYTES;
    private final Map<String, InetSocketAddress> bindOverrides = new HashMap<>();

    private Builder() {
    }

    /** Event-loop threads (default: the available processors). */
    public Builder eventLoops(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("eventLoops: " + count + " (expected: >= 1)");
      }
      this.eventLoops = count;
      return this;
    }

    /** Whether to use epoll where available (default true). */
    public Builder preferNativeTransport(boolean prefer) {
      this.preferNativeTransport = prefer;
      return this;
    }

    /** The TLS factory (default: {@link BoringSslGatewayTls}; trust/'s factories replace it). */
    public Builder tls(GatewayTls factory) {
      this.tls = Objects.requireNonNull(factory, "tls");
      return this;
    }

    public Builder observer(ConnectionObserver connectionObserver) {
      this.observer = Objects.requireNonNull(connectionObserver, "observer");
      return this;
    }

    /** The bound on a ClientHello's raw bytes (default 64 KiB, Envoy's tls_inspector bound). */
    public Builder maxClientHelloBytes(int bytes) {
      if (bytes < 512 || bytes > 1 << 20) {
        throw new IllegalArgumentException("maxClientHelloBytes: " + bytes + " (expected: 512..1048576)");
      }
      this.maxClientHelloBytes = bytes;
      return this;
    }

    /**
     * Binds a listener somewhere else than its xDS address (tests and local runs: a loopback address, port 0 for
     * any free port).
     */
    public Builder bind(String listener, InetSocketAddress address) {
      Objects.requireNonNull(listener, "listener");
      Objects.requireNonNull(address, "address");
      bindOverrides.put(listener, address);
      return this;
    }

    public EastWestGateway build() {
      return new EastWestGateway(this);
    }
  }
}
