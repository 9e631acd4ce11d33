package io.meshfed.gateway.l7.codec;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;

/**
 * Netty's HTTP/1.1 response decoder for upstream connections, reading headers into {@link ArrayHttpHeaders} and
 * knowing which responses answer a HEAD: such a response has no body whatever its framing headers say (RFC 9110
 * §9.3.2), and reading one would take the next response's bytes as its body. The methods come from the
 * {@link RequestEncoder} on the same connection, in request order; an interim (1xx) response answers none. This is
 * what Netty's {@code HttpClientCodec} pairs do, without its combined handler. There is no CONNECT tunnel mode: a
 * CONNECT request matches no route (as in Envoy without a {@code connect_matcher}), so none is sent upstream.
 */
public final class ResponseDecoder extends HttpResponseDecoder {

  // Upstreams are trusted more than clients: a status line up to 4 KiB and a header block up to 64 KiB (Envoy's
  // default header limit is 60 KiB); bodies are handed on in pieces of up to 64 KiB.
  private static final int MAX_STATUS_LINE_BYTES = 4096;
  private static final int MAX_HEADER_BYTES = 64 * 1024;
  private static final int MAX_BODY_PIECE_BYTES = 64 * 1024;

  private final PendingMethods pending;

  /** A decoder for the responses to the requests recorded in {@code pending}. */
  public ResponseDecoder(PendingMethods pending) {
    super(new HttpDecoderConfig()
        .setMaxInitialLineLength(MAX_STATUS_LINE_BYTES)
        .setMaxHeaderSize(MAX_HEADER_BYTES)
        .setMaxChunkSize(MAX_BODY_PIECE_BYTES)
        .setHeadersFactory(ArrayHttpHeaders.FACTORY)
        .setTrailersFactory(ArrayHttpHeaders.TRAILERS));
    this.pending = pending;
  }

  @Override
  protected boolean isContentAlwaysEmpty(HttpMessage message) {
    return pending.answersHead((HttpResponse) message) || super.isContentAlwaysEmpty(message);
  }
}
