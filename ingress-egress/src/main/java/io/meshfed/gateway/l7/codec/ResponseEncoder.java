package io.meshfed.gateway.l7.codec;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;

/**
 * Netty's HTTP/1.1 response encoder, writing {@link ArrayHttpHeaders} straight from their arrays (no iterator, no
 * entry per header; other headers, local replies', take Netty's path), and knowing which responses answer a HEAD.
 */
public final class ResponseEncoder extends HttpResponseEncoder {

  private final PendingMethods pending;
  private final HeaderLines lines = new HeaderLines();

  /** An encoder for the responses to the requests recorded in {@code pending}. */
  public ResponseEncoder(PendingMethods pending) {
    this.pending = pending;
  }

  /** A response to HEAD has no body, even when its headers frame one (Netty's plain encoder ends a chunked one). */
  @Override
  protected boolean isContentAlwaysEmpty(HttpResponse response) {
    return pending.answersHead(response) || super.isContentAlwaysEmpty(response);
  }

  @Override
  protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
    if (headers instanceof ArrayHttpHeaders array) {
      lines.write(array, buf);
    } else {
      super.encodeHeaders(headers, buf);
    }
  }
}
