package io.meshfed.gateway.l7.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;

/**
 * Builds the responses the gateway generates itself. Every one carries its response flags in
 * {@code x-meshfed-flags} and its response code details in {@code x-meshfed-details}, so a client can tell a
 * gateway error from an upstream one. gRPC requests get a trailers-only gRPC response instead, with the HTTP status
 * mapped to a gRPC status as Envoy does ({@code Grpc::Utility::httpToGrpcStatus}).
 */
final class LocalReplies {

  static final String FLAGS_HEADER = "x-meshfed-flags";
  static final String DETAILS_HEADER = "x-meshfed-details";

  private LocalReplies() {
  }

  static FullHttpResponse build(ByteBufAllocator alloc, int status, String body, String details,
                                EnumSet<ResponseFlag> flags, boolean grpc, boolean head) {
    FullHttpResponse response;
    if (grpc) {
      response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/grpc");
      response.headers().set("grpc-status", Integer.toString(grpcStatus(status)));
      String message = body.isEmpty() ? HttpResponseStatus.valueOf(status).reasonPhrase() : body;
      response.headers().set("grpc-message", URLEncoder.encode(message, StandardCharsets.UTF_8).replace("+", "%20"));
    } else {
      ByteBuf content = body.isEmpty() || head ? Unpooled.EMPTY_BUFFER
          : alloc.buffer(body.length()).writeBytes(body.getBytes(StandardCharsets.UTF_8));
      response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), content);
      if (!body.isEmpty()) {
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
      }
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, head ? body.length() : content.readableBytes());
    }
    if (!flags.isEmpty()) {
      response.headers().set(FLAGS_HEADER, ResponseFlag.render(flags));
    }
    if (!details.isEmpty()) {
      response.headers().set(DETAILS_HEADER, details);
    }
    response.headers().set(HttpHeaderNames.SERVER, "meshfed");
    return response;
  }

  /** Envoy's HTTP → gRPC status mapping for local replies. */
  static int grpcStatus(int http) {
    return switch (http) {
      case 400 -> 13;
      case 401 -> 16;
      case 403 -> 7;
      case 404 -> 12;
      case 429, 502, 503, 504 -> 14;
      default -> 2;
    };
  }
}
