package io.meshfed.gateway.l7.codec;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;

/**
 * Netty's HTTP/1.1 response decoder for upstream connections, reading headers into {@link ArrayHttpHeaders} and
 * knowing which responses answer a HEAD: such a response has no body whatever its framing headers say (RFC 9110
 * §9.3.2), and reading one would take the next response's bytes as its body. The methods come from the
 * {@link RequestEncoder} on the same connection, in request order; an interim (1xx) response answers none. This is
 * what Netty's {@code HttpClientCodec} pairs do, without its combined handler; the proxy never sends CONNECT
 * upstream, so there is no tunnel mode.
 */
public final class ResponseDecoder extends HttpResponseDecoder {

  private final PendingMethods pending;

  /** A decoder for the responses to the requests recorded in {@code pending}. */
  public ResponseDecoder(PendingMethods pending) {
    super(new HttpDecoderConfig()
        .setMaxInitialLineLength(4096)
        .setMaxHeaderSize(64 * 1024)
        .setMaxChunkSize(64 * 1024)
        .setHeadersFactory(ArrayHttpHeaders.FACTORY)
        .setTrailersFactory(ArrayHttpHeaders.TRAILERS));
    this.pending = pending;
  }

  @Override
  protected boolean isContentAlwaysEmpty(HttpMessage message) {
    if (((HttpResponse) message).status().codeClass() == HttpStatusClass.INFORMATIONAL) {
      return super.isContentAlwaysEmpty(message);
    }
    boolean head = HttpMethod.HEAD.equals(pending.answered());
    return head || super.isContentAlwaysEmpty(message);
  }
}
