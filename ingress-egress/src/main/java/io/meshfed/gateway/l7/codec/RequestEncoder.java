package io.meshfed.gateway.l7.codec;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;

/**
 * Netty's HTTP/1.1 request encoder for upstream connections, writing {@link ArrayHttpHeaders} straight from their
 * arrays (as {@link ResponseEncoder} does downstream) and recording each request's method for the
 * {@link ResponseDecoder} on the same connection.
 */
public final class RequestEncoder extends HttpRequestEncoder {

  private final PendingMethods pending;
  private final HeaderLines lines = new HeaderLines();

  /** An encoder recording the methods it sends in {@code pending}, which the connection's decoder reads. */
  public RequestEncoder(PendingMethods pending) {
    this.pending = pending;
  }

  @Override
  protected void encodeInitialLine(ByteBuf buf, HttpRequest request) throws Exception {
    pending.requested(request.method());
    super.encodeInitialLine(buf, request);
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
