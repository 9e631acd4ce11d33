package io.meshfed.gateway.l7.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.gateway.l7.codec.ArrayHttpHeaders;
import io.meshfed.gateway.l7.codec.PendingMethods;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StrictRequestDecoderTest {

  private static List<Object> decode(String wire) {
    EmbeddedChannel channel = new EmbeddedChannel(new StrictRequestDecoder(8192, new PendingMethods()));
    channel.writeInbound(Unpooled.copiedBuffer(wire, StandardCharsets.ISO_8859_1));
    List<Object> messages = new ArrayList<>();
    for (Object message; (message = channel.readInbound()) != null; ) {
      messages.add(message);
    }
    channel.finishAndReleaseAll();
    return messages;
  }

  @Test
  void passesABodilessRequestOnInOnePieceWithArrayHeaders() {
    List<Object> messages = decode("GET /a HTTP/1.1\r\nHost: shop\r\n\r\nGET /b HTTP/1.1\r\nHost: shop\r\n\r\n");

    assertThat(messages).hasSize(2).allSatisfy(message -> assertThat(message).isInstanceOf(FullHttpRequest.class));
    FullHttpRequest first = (FullHttpRequest) messages.get(0);
    assertThat(first.uri()).isEqualTo("/a");
    assertThat(first.headers()).isInstanceOf(ArrayHttpHeaders.class);
    assertThat(first.headers().get("host")).isEqualTo("shop");
    assertThat(first.content().isReadable()).isFalse();
    assertThat(((FullHttpRequest) messages.get(1)).uri()).isEqualTo("/b");
    messages.forEach(ReferenceCountUtil::release);
  }

  @Test
  void keepsARequestWithABodyAsAHeadFollowedByItsContent() {
    List<Object> messages = decode("POST /a HTTP/1.1\r\nHost: shop\r\nContent-Length: 3\r\n\r\nabc");

    assertThat(messages).hasSize(2);
    assertThat(messages.get(0)).isInstanceOf(HttpRequest.class).isNotInstanceOf(FullHttpRequest.class);
    assertThat(messages.get(1)).isInstanceOf(LastHttpContent.class);
    assertThat(((HttpContent) messages.get(1)).content().toString(StandardCharsets.US_ASCII)).isEqualTo("abc");
    messages.forEach(ReferenceCountUtil::release);
  }

  @Test
  void readsChunkedTrailersIntoArrayHeadersThatStillRefuseInvalidNames() {
    List<Object> messages = decode("POST /a HTTP/1.1\r\nHost: shop\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "3\r\nabc\r\n0\r\ngrpc-status: 0\r\nx-checksum: 9f\r\n\r\n");

    LastHttpContent end = (LastHttpContent) messages.get(messages.size() - 1);
    assertThat(end.trailingHeaders()).isInstanceOf(ArrayHttpHeaders.class);
    assertThat(end.trailingHeaders().get("grpc-status")).isEqualTo("0");
    assertThat(end.trailingHeaders().get("x-checksum")).isEqualTo("9f");
    messages.forEach(ReferenceCountUtil::release);

    List<Object> bad = decode("POST /a HTTP/1.1\r\nHost: shop\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "0\r\nbad name: 1\r\n\r\n");
    assertThat(bad).anySatisfy(message -> assertThat(((io.netty.handler.codec.DecoderResultProvider) message)
        .decoderResult().isFailure()).isTrue());
    bad.forEach(ReferenceCountUtil::release);
  }

  @Test
  void tellsTheResponseEncoderWhichRequestsWereHeads() {
    PendingMethods pending = new PendingMethods();
    EmbeddedChannel channel = new EmbeddedChannel(new StrictRequestDecoder(8192, pending),
        new io.meshfed.gateway.l7.codec.ResponseEncoder(pending));
    channel.writeInbound(Unpooled.copiedBuffer("HEAD / HTTP/1.1\r\nHost: shop\r\n\r\n", StandardCharsets.US_ASCII));
    ReferenceCountUtil.release(channel.readInbound());

    var headers = ArrayHttpHeaders.FACTORY.newHeaders().add("transfer-encoding", "chunked");
    channel.writeOutbound(new io.netty.handler.codec.http.DefaultHttpResponse(
        io.netty.handler.codec.http.HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpResponseStatus.OK, headers),
        LastHttpContent.EMPTY_LAST_CONTENT);
    StringBuilder wire = new StringBuilder();
    for (io.netty.buffer.ByteBuf part; (part = channel.readOutbound()) != null; part.release()) {
      wire.append(part.toString(StandardCharsets.US_ASCII));
    }

    assertThat(wire).hasToString("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
    channel.finishAndReleaseAll();
  }

  @Test
  void leavesARefusedRequestAsTheDecoderReportedIt() {
    List<Object> messages = decode("GET / HTTP/1.1\r\nHost: shop\r\nBad Name: x\r\n\r\n");

    assertThat(messages).isNotEmpty();
    assertThat(messages.get(0)).isInstanceOf(HttpRequest.class).isNotInstanceOf(FullHttpRequest.class);
    assertThat(((HttpRequest) messages.get(0)).decoderResult().isFailure()).isTrue();
    messages.forEach(ReferenceCountUtil::release);
  }
}
