package io.meshfed.gateway.l7.listener;

import io.meshfed.gateway.l7.tls.DownstreamTlsSpec;
import io.meshfed.gateway.l7.tls.SecretSpec;
import io.meshfed.gateway.l7.tls.TlsContextFactory;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Server TLS contexts per filter chain, rebuilt when a secret they use is rotated: new connections get the new
 * certificate while established connections keep theirs (their engines hold the old context), so rotation drops
 * nothing. Shared by the event loops.
 */
final class ServerTlsContexts {

  private record Key(DownstreamTlsSpec spec, boolean http) {
  }

  private record Cached(List<SecretSpec> used, SslContext context) {
  }

  private final ConcurrentHashMap<Key, Cached> contexts = new ConcurrentHashMap<>();
  private final boolean resumption;

  ServerTlsContexts(boolean resumption) {
    this.resumption = resumption;
  }

  SslContext contextFor(DownstreamTlsSpec spec, boolean http, Map<String, SecretSpec> secrets)
      throws TlsContextFactory.TlsUnavailableException {
    List<SecretSpec> used = new ArrayList<>();
    for (String name : spec.certificateSecrets()) {
      used.add(secrets.get(name));
    }
    if (spec.validationSecret() != null) {
      used.add(secrets.get(spec.validationSecret()));
    }
    Key key = new Key(spec, http);
    Cached cached = contexts.get(key);
    if (cached != null && same(cached.used, used)) {
      return cached.context;
    }
    SslContext context = TlsContextFactory.server(spec, secrets, http, resumption);
    Cached previous = contexts.put(key, new Cached(used, context));
    if (previous != null) {
      ReferenceCountUtil.release(previous.context);
    }
    return context;
  }

  private static boolean same(List<SecretSpec> a, List<SecretSpec> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i)) {
        return false;
      }
    }
    return true;
  }

  void close() {
    for (Cached cached : contexts.values()) {
      ReferenceCountUtil.release(cached.context);
    }
    contexts.clear();
  }
}
