package io.meshfed.gateway.l7.listener;

/**
 * The decode failure of a request that carries both {@code Transfer-Encoding} and {@code Content-Length}: the proxy
 * answers 400 with details {@code http1.content_length_and_chunked_not_allowed} (Envoy's behaviour without
 * {@code allow_chunked_length}).
 */
public final class SmugglingRefused extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  SmugglingRefused() {
    super("both Transfer-Encoding and Content-Length (request smuggling)");
  }
}
