package io.meshfed.gateway.eastwest.engine;

import io.meshfed.gateway.eastwest.ConfigError;
import io.meshfed.gateway.eastwest.ResourceType;
import io.meshfed.gateway.eastwest.config.ClusterConfig;
import io.meshfed.gateway.eastwest.config.FilterChainConfig;
import io.meshfed.gateway.eastwest.config.GatewayConfig;
import io.meshfed.gateway.eastwest.config.ListenerConfig;
import io.meshfed.gateway.eastwest.tls.ClientTlsSpec;
import io.meshfed.gateway.eastwest.tls.GatewayTls;
import io.meshfed.gateway.eastwest.tls.ServerTlsSpec;
import io.meshfed.gateway.eastwest.upstream.ClusterRuntime;
import io.meshfed.gateway.eastwest.upstream.UpstreamRegistry;
import io.netty.handler.ssl.SslContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.netty.util.ReferenceCountUtil;
import javax.net.ssl.SSLException;

/**
 * Turns a validated {@link GatewayConfig} into a {@link GatewayRuntime}: TLS contexts (reused across snapshots for
 * equal specs, so an EDS update rebuilds none), chain indexes and cluster runtimes. Runs only on the engine's control
 * thread. A context BoringSSL refuses (a key that does not fit its certificate) is reported like a NACK.
 */
final class Materializer {

  /** The outcome: a runtime, or errors. */
  record Result(GatewayRuntime runtime, List<ConfigError> errors) {
  }

  private final GatewayTls tls;
  private final UpstreamRegistry registry;
  private Map<ServerTlsSpec, SslContext> serverContexts = new HashMap<>();
  private Map<ClientTlsSpec, SslContext> clientContexts = new HashMap<>();
  private Map<ServerTlsSpec, SslContext> nextServer = new HashMap<>();
  private Map<ClientTlsSpec, SslContext> nextClient = new HashMap<>();

  Materializer(GatewayTls tls, UpstreamRegistry registry) {
    this.tls = tls;
    this.registry = registry;
  }

  Result materialize(GatewayConfig config) {
    nextServer = new HashMap<>();
    nextClient = new HashMap<>();
    List<ConfigError> errors = new ArrayList<>();
    Map<String, ListenerRuntime> listeners = new LinkedHashMap<>();
    for (ListenerConfig listener : config.listeners().values()) {
      List<ChainRuntime> chains = new ArrayList<>();
      for (FilterChainConfig chain : listener.chains()) {
        SslContext context = null;
        if (chain.terminatesTls() && chain.tls() != null) {
          try {
            context = serverContext(chain.tls());
          } catch (SSLException | RuntimeException e) {
            errors.add(new ConfigError(ResourceType.LISTENER, listener.name(),
                "filter_chains[" + chain.index() + "].transport_socket",
                "BoringSSL refuses the TLS context: " + e.getMessage()));
          }
        }
        chains.add(new ChainRuntime(chain, ChainRuntime.modeOf(chain), context));
      }
      listeners.put(listener.name(), new ListenerRuntime(listener, chains));
    }
    Map<String, ClusterRuntime> clusters = new LinkedHashMap<>();
    for (ClusterConfig cluster : config.clusters().values()) {
      try {
        clusters.put(cluster.name(), registry.materialize(cluster, spec -> {
          try {
            return clientContext(spec);
          } catch (SSLException e) {
            throw new IllegalStateException(e.getMessage(), e);
          }
        }));
      } catch (RuntimeException e) {
        errors.add(new ConfigError(ResourceType.CLUSTER, cluster.name(), "transport_socket_matches",
            "BoringSSL refuses the TLS context: " + e.getMessage()));
      }
    }
    if (!errors.isEmpty()) {
      rollback();
      return new Result(null, errors);
    }
    return new Result(new GatewayRuntime(config, listeners, clusters), List.of());
  }

  /**
   * After a publish: keep only the contexts and upstream state the published snapshot uses. A context dropped here
   * lives on in the engines of connections still using it (each engine holds a reference).
   */
  void commit(GatewayConfig published) {
    releaseUnused(serverContexts, nextServer);
    releaseUnused(clientContexts, nextClient);
    serverContexts = nextServer;
    clientContexts = nextClient;
    registry.retainOnly(published.clusters().values());
  }

  /** After a refused update: release the contexts it built that the published snapshot does not use. */
  void rollback() {
    releaseUnused(nextServer, serverContexts);
    releaseUnused(nextClient, clientContexts);
    nextServer = new HashMap<>();
    nextClient = new HashMap<>();
  }

  /** Releases everything (the engine is closing). */
  void releaseAll() {
    releaseUnused(serverContexts, Map.of());
    releaseUnused(clientContexts, Map.of());
    serverContexts = new HashMap<>();
    clientContexts = new HashMap<>();
  }

  private static <K> void releaseUnused(Map<K, SslContext> dropped, Map<K, SslContext> kept) {
    java.util.Set<SslContext> keep = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    keep.addAll(kept.values());
    java.util.Set<SslContext> released = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (SslContext context : dropped.values()) {
      if (!keep.contains(context) && released.add(context)) {
        ReferenceCountUtil.release(context);
      }
    }
  }

  private SslContext serverContext(ServerTlsSpec spec) throws SSLException {
    SslContext context = serverContexts.get(spec);
    if (context == null) {
      context = nextServer.get(spec);
    }
    if (context == null) {
      context = tls.serverContext(spec);
    }
    nextServer.put(spec, context);
    return context;
  }

  private SslContext clientContext(ClientTlsSpec spec) throws SSLException {
    SslContext context = clientContexts.get(spec);
    if (context == null) {
      context = nextClient.get(spec);
    }
    if (context == null) {
      context = tls.clientContext(spec);
    }
    nextClient.put(spec, context);
    return context;
  }
}
