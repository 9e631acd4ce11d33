package io.meshfed.gateway.eastwest.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ByteProcessor;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The HTTP/1.1 codec of a downstream connection: Netty's {@code HttpServerCodec} (which takes no decoder of another
 * class) with a request decoder of its own, which hands on a request without a body (no Content-Length, or 0, and not
 * chunked: RFC 9112 section 6.3) as one {@link FullHttpRequest}, so the request is complete at its head, as an HTTP/2
 * HEADERS frame that ends its stream is, and a reply to it can keep the connection.
 *
 * <p>What {@code HttpServerCodec} adds to the plain decoder and encoder is kept, each response taking the method of
 * the oldest request not answered yet: a response to HEAD has no body whatever its headers announce (RFC 9110 section
 * 9.3.2), a 2xx to CONNECT no Transfer-Encoding (section 9.3.6); at most {@link #MAX_PIPELINED} requests are decoded
 * and not yet answered (more fail the decode, which closes the connection). A request with both Transfer-Encoding and
 * Content-Length fails the decode (Netty's default, {@code ContentLengthNotAllowedException}): 400 DPE and the close,
 * as Envoy answers it unless {@code allow_chunked_length} is set (RFC 9112 section 6.3 allows either).
 *
 * <p>It also tells whether the next request's head has begun ({@link #headInProgress()}), which the
 * {@link RequestHeadGuard} cannot see from the raw bytes when that head came in the same read as the end of the request
 * before it. Event-loop confined.
 */
final class Http1ServerCodec extends CombinedChannelDuplexHandler<HttpRequestDecoder, HttpResponseEncoder> {

  /** {@code HttpServerCodec}'s default bound on requests decoded and not yet answered. */
  static final int MAX_PIPELINED = 128;

  /** The methods of the requests decoded and not yet answered, oldest first. */
  private final ArrayDeque<HttpMethod> unanswered = new ArrayDeque<>();
  private final RequestDecoder decoder;

  Http1ServerCodec(int maxInitialLineLength, int maxHeaderSize, int maxChunkSize) {
    decoder = new RequestDecoder(new HttpDecoderConfig()
        .setMaxInitialLineLength(maxInitialLineLength)
        .setMaxHeaderSize(maxHeaderSize)
        .setMaxChunkSize(maxChunkSize));
    init(decoder, new ResponseEncoder());
  }

  /**
   * Whether a request's head has begun and not been handed on yet: its initial line was read (the decoder keeps the
   * header lines it has read), or bytes other than line breaks (RFC 9112 section 2.2) wait for a line's end. Asked
   * between requests, when whatever the decoder holds belongs to the next one.
   */
  boolean headInProgress() {
    return decoder.headStarted || decoder.held().forEachByte(ByteProcessor.FIND_NON_CRLF) != -1;
  }

  private final class RequestDecoder extends HttpRequestDecoder {

    /** Past {@link #MAX_PIPELINED}: everything is dropped until the connection closes. */
    private boolean discarding;
    /** An initial line was read and its request's head has not come out yet. */
    private boolean headStarted;

    RequestDecoder(HttpDecoderConfig config) {
      super(config);
    }

    /** The bytes read and not decoded yet. */
    ByteBuf held() {
      return internalBuffer();
    }

    @Override
    protected HttpMessage createMessage(String[] initialLine) throws Exception {
      headStarted = true;
      return super.createMessage(initialLine);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
      if (discarding) {
        buffer.skipBytes(buffer.readableBytes());
        return;
      }
      int from = out.size();
      super.decode(ctx, buffer, out);
      for (int i = from; i < out.size(); i++) {
        if (out.get(i) instanceof HttpRequest request) {
          if (unanswered.size() >= MAX_PIPELINED) {
            discarding = true;
            for (int j = from; j < out.size(); j++) {
              ReferenceCountUtil.release(out.get(j));
            }
            out.subList(from, out.size()).clear();
            throw new IllegalStateException("more than " + MAX_PIPELINED + " requests pipelined without a response");
          }
          unanswered.add(request.method());
          headStarted = false;
        }
      }
      // A request without a body comes out of one decode call as its head and the empty end right after it.
      if (out.size() - from == 2 && out.get(from) instanceof HttpRequest head && !(head instanceof FullHttpRequest)
          && head.decoderResult().isSuccess() && out.get(from + 1) == LastHttpContent.EMPTY_LAST_CONTENT) {
        FullHttpRequest whole = new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(),
            Unpooled.EMPTY_BUFFER, head.headers(), EmptyHttpHeaders.INSTANCE);
        out.set(from, whole);
        out.remove(from + 1);
      }
    }
  }

  private final class ResponseEncoder extends HttpResponseEncoder {

    /** The method of the request the response being encoded answers ({@code null}: none, a head timeout's 408). */
    private HttpMethod method;

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse response) {
      if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        // An interim response: the final one still to come answers the request.
        return super.isContentAlwaysEmpty(response);
      }
      method = unanswered.poll();
      return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(response);
    }

    @Override
    protected void sanitizeHeadersBeforeEncode(HttpResponse response, boolean isAlwaysEmpty) {
      if (!isAlwaysEmpty && HttpMethod.CONNECT.equals(method)
          && response.status().codeClass() == HttpStatusClass.SUCCESS) {
        // A tunnel follows a 2xx to CONNECT: its bytes are not chunked.
        response.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        return;
      }
      super.sanitizeHeadersBeforeEncode(response, isAlwaysEmpty);
    }
  }
}
