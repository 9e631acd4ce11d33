package io.meshfed.gateway.l7.listener;

import io.meshfed.gateway.l7.tls.DownstreamTlsSpec;
import io.meshfed.gateway.l7.tls.SecretSpec;
import io.meshfed.gateway.l7.tls.TlsContextCache;
import io.meshfed.gateway.l7.tls.TlsContextFactory;
import io.netty.handler.ssl.SslContext;
import java.util.Map;

/**
 * A listener's server TLS contexts per filter chain ({@link TlsContextCache}: rebuilt when a secret they use is
 * rotated, shared by the event loops).
 */
final class ServerTlsContexts {

  private record Key(DownstreamTlsSpec spec, boolean http) {
  }

  private final TlsContextCache<Key> cache = new TlsContextCache<>();
  private final boolean resumption;

  ServerTlsContexts(boolean resumption) {
    this.resumption = resumption;
  }

  /** The chain's context with a reference the caller releases once its engine is made. */
  SslContext acquire(DownstreamTlsSpec spec, boolean http, Map<String, SecretSpec> secrets)
      throws TlsContextFactory.TlsUnavailableException {
    return cache.acquire(new Key(spec, http),
        TlsContextCache.secretsUsed(spec.certificateSecrets(), spec.validationSecret(), secrets),
        () -> TlsContextFactory.server(spec, secrets, http, resumption));
  }

  void close() {
    cache.close();
  }
}
