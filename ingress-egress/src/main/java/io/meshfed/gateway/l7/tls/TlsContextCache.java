package io.meshfed.gateway.l7.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * TLS contexts by key, rebuilt when a secret one was built from is rotated: new connections get the new certificate
 * while established ones keep theirs (each engine holds its own reference to its context), so rotation drops nothing.
 * Shared by the event loops. A caller gets a reference of its own and releases it once its engine exists, so no other
 * loop's rotation, and no {@link #close()}, can free a context between the lookup and the engine.
 *
 * @param <K> what a context is built for
 */
public final class TlsContextCache<K> {

  /** Builds a context; called outside the cache's lock, since parsing keys takes milliseconds. */
  @FunctionalInterface
  public interface Builder {
    /** The new context. */
    SslContext build() throws TlsContextFactory.TlsUnavailableException;
  }

  private record Cached(List<SecretSpec> used, SslContext context) {
  }

  private final Map<K, Cached> contexts = new HashMap<>();
  private boolean closed;

  /** The secrets a context built from these names uses, in order (a missing one is null). */
  public static List<SecretSpec> secretsUsed(List<String> certificateSecrets, String validationSecret,
                                             Map<String, SecretSpec> secrets) {
    List<SecretSpec> used = new ArrayList<>(certificateSecrets.size() + 1);
    for (String name : certificateSecrets) {
      used.add(secrets.get(name));
    }
    if (validationSecret != null) {
      used.add(secrets.get(validationSecret));
    }
    return used;
  }

  /**
   * The context for {@code key} built from the secret objects {@code used}, cached or built now, with a reference the
   * caller owns: release it once the engine is made. After {@link #close()} the context is built for this caller
   * alone, and that release frees it with its engine.
   */
  public SslContext acquire(K key, List<SecretSpec> used, Builder builder)
      throws TlsContextFactory.TlsUnavailableException {
    synchronized (this) {
      Cached cached = contexts.get(key);
      if (!closed && cached != null && sameObjects(cached.used, used)) {
        return retain(cached.context);
      }
    }
    SslContext built = builder.build();
    synchronized (this) {
      if (closed) {
        return built;
      }
      Cached cached = contexts.get(key);
      if (cached != null && sameObjects(cached.used, used)) {
        // Another event loop built the same one first.
        ReferenceCountUtil.release(built);
        return retain(cached.context);
      }
      contexts.put(key, new Cached(used, built));
      if (cached != null) {
        // Engines made from the old context hold their own references; this drops only the cache's.
        ReferenceCountUtil.release(cached.context);
      }
      return retain(built);
    }
  }

  /** Releases the cached contexts; later {@link #acquire} calls build one per caller. */
  public synchronized void close() {
    closed = true;
    for (Cached cached : contexts.values()) {
      ReferenceCountUtil.release(cached.context);
    }
    contexts.clear();
  }

  private static SslContext retain(SslContext context) {
    ReferenceCountUtil.retain(context);
    return context;
  }

  // Identity, not equality: a rotated secret is a new object even when its bytes are the same.
  private static boolean sameObjects(List<SecretSpec> a, List<SecretSpec> b) {
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
}
