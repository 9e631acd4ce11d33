package io.meshfed.gateway.l7.listener;

import io.meshfed.gateway.l7.codec.ArrayHttpHeaders;
import io.meshfed.gateway.l7.codec.PendingMethods;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ByteProcessor;
import java.util.List;

/**
 * Netty's request decoder with request smuggling refused: a request carrying both {@code Transfer-Encoding} and
 * {@code Content-Length} fails to decode (RFC 9112 §6.3 point 3 allows treating it as an error; Envoy rejects it
 * with 400 unless {@code allow_chunked_length}). Netty's default instead drops the Content-Length. Duplicate or
 * differing Content-Length values, invalid header characters and bare LF line endings are already refused by the
 * decoder configuration. Headers and trailers are read into {@link ArrayHttpHeaders}, which validate names and
 * values as Netty's validating headers do.
 */
final class StrictRequestDecoder extends HttpRequestDecoder {

  private final PendingMethods pending;
  // An initial line was read and its request's head is not out yet.
  private boolean headStarted;

  StrictRequestDecoder(int maxHeaderBytes, PendingMethods pending) {
    super(new HttpDecoderConfig()
        .setMaxInitialLineLength(Math.max(4096, maxHeaderBytes))
        .setMaxHeaderSize(maxHeaderBytes)
        .setMaxChunkSize(64 * 1024)
        .setAllowDuplicateContentLengths(false)
        .setStrictLineParsing(true)
        .setValidateHeaders(true)
        .setHeadersFactory(ArrayHttpHeaders.FACTORY)
        .setTrailersFactory(ArrayHttpHeaders.TRAILERS));
    this.pending = pending;
  }

  /**
   * A request without a body comes out of Netty's decoder as its head followed by an empty end; it is passed on as one
   * {@link FullHttpRequest} instead, so the proxy receives it in one piece (as it does an HTTP/2 HEADERS frame with
   * END_STREAM) and can forward it in one write.
   */
  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
    int before = out.size();
    super.decode(ctx, buffer, out);
    for (int i = before; i < out.size(); i++) {
      if (out.get(i) instanceof HttpRequest request) {
        pending.requested(request.method());
        headStarted = false;
      }
    }
    for (int i = before; i + 1 < out.size(); i++) {
      if (out.get(i + 1) == LastHttpContent.EMPTY_LAST_CONTENT && out.get(i) instanceof HttpRequest head
          && !(head instanceof FullHttpRequest) && head.decoderResult().isSuccess()) {
        FullHttpRequest whole = new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(),
            Unpooled.EMPTY_BUFFER, head.headers(), EmptyHttpHeaders.INSTANCE);
        whole.setDecoderResult(head.decoderResult());
        out.set(i, whole);
        out.remove(i + 1);
      }
    }
  }

  @Override
  protected HttpMessage createMessage(String[] initialLine) throws Exception {
    headStarted = true;
    return super.createMessage(initialLine);
  }

  /**
   * Whether a request's head has started arriving and is not complete: its initial line read (the decoder keeps the
   * lines it has parsed), or bytes other than line breaks waiting for the rest of a line. Asked between requests, so
   * bytes held here belong to the next one.
   */
  boolean headInProgress() {
    // Line breaks between requests are skipped, not a request (RFC 9112 §2.2).
    return headStarted || internalBuffer().forEachByte(ByteProcessor.FIND_NON_CRLF) != -1;
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    throw new SmugglingRefused();
  }
}
