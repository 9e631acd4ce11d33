package io.meshfed.gateway.l7.proxy;

import io.meshfed.gateway.l7.HygieneLimits;
import io.meshfed.gateway.l7.Role;
import io.meshfed.gateway.l7.listener.ConnectionContext;
import io.meshfed.gateway.l7.listener.DataPlane;
import io.meshfed.gateway.l7.listener.HeadersTimeout;
import io.meshfed.gateway.l7.listener.TcpProxySpec;
import io.meshfed.gateway.l7.outcome.OutcomeSink;
import io.meshfed.gateway.l7.outcome.RequestOutcome;
import io.meshfed.gateway.l7.outcome.TcpOutcome;
import io.meshfed.gateway.l7.security.JwtVerifier;
import io.meshfed.gateway.l7.tls.SecretSpec;
import io.meshfed.gateway.l7.upstream.Upstreams;
import io.netty.channel.ChannelHandler;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The proxy's view of the engine: current state, upstreams, seams. Shared by every event loop; immutable. */
public final class ProxyContext implements DataPlane {

  private static final Logger LOG = LoggerFactory.getLogger(ProxyContext.class);

  private final Supplier<EngineState> state;
  private final Upstreams upstreams;
  private final OutcomeSink sink;
  private final HygieneLimits limits;
  private final JwtVerifier jwt;
  private final Role role;
  private final boolean tlsSessionResumption;

  /**
   * The proxy for an engine.
   *
   * @param state reads the state now serving (one volatile read)
   * @param upstreams connection pools
   * @param sink where outcomes go
   * @param limits hygiene limits
   * @param jwt JWT verification
   * @param role the engine's role
   * @param tlsSessionResumption whether downstream TLS sessions may be resumed
   */
  public ProxyContext(Supplier<EngineState> state, Upstreams upstreams, OutcomeSink sink, HygieneLimits limits,
                      JwtVerifier jwt, Role role, boolean tlsSessionResumption) {
    this.state = state;
    this.upstreams = upstreams;
    this.sink = sink;
    this.limits = limits;
    this.jwt = jwt;
    this.role = role;
    this.tlsSessionResumption = tlsSessionResumption;
  }

  EngineState state() {
    return state.get();
  }

  Upstreams upstreams() {
    return upstreams;
  }

  JwtVerifier jwt() {
    return jwt;
  }

  Role role() {
    return role;
  }

  void report(RequestOutcome outcome) {
    try {
      sink.request(outcome);
    } catch (RuntimeException e) {
      LOG.warn("outcome sink failed: {}", e.toString());
    }
  }

  void report(TcpOutcome outcome) {
    try {
      sink.connection(outcome);
    } catch (RuntimeException e) {
      LOG.warn("outcome sink failed: {}", e.toString());
    }
  }

  @Override
  public ChannelHandler httpStream(ConnectionContext connection) {
    return new HttpStreamHandler(this, connection);
  }

  @Override
  public ChannelHandler tcpProxy(ConnectionContext connection, TcpProxySpec spec) {
    return new TcpProxyHandler(this, connection, spec);
  }

  @Override
  public void headersTimedOut(ConnectionContext connection, HeadersTimeout timeout) {
    report(new RequestOutcome(Instant.now(), 0, connection.listener(), "", connection.protocol(), "", "", "", "", "",
        "", connection.remote(), connection.local(), connection.sni(), connection.peerPrincipal(), 408,
        timeout.flag(), timeout.details(), "", "", -1, 0, 0, 0, ""));
  }

  @Override
  public Map<String, SecretSpec> secrets() {
    return state.get().snapshot().secrets();
  }

  @Override
  public HygieneLimits limits() {
    return limits;
  }

  @Override
  public boolean tlsSessionResumption() {
    return tlsSessionResumption;
  }
}
