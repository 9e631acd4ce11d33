package io.meshfed.gateway.l7.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ResponseEncoderTest {

  private static String wire(EmbeddedChannel channel) {
    StringBuilder wire = new StringBuilder();
    for (ByteBuf part; (part = channel.readOutbound()) != null; part.release()) {
      wire.append(part.toString(StandardCharsets.ISO_8859_1));
    }
    return wire.toString();
  }

  private static void respondChunked(EmbeddedChannel channel) {
    HttpHeaders headers = ArrayHttpHeaders.FACTORY.newHeaders()
        .add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    channel.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, headers),
        LastHttpContent.EMPTY_LAST_CONTENT);
  }

  @Test
  void endsNoBodyForAResponseToHeadButDoesForTheGetAfterIt() {
    PendingMethods pending = new PendingMethods();
    EmbeddedChannel channel = new EmbeddedChannel(new ResponseEncoder(pending));
    pending.requested(HttpMethod.HEAD);
    pending.requested(HttpMethod.GET);

    respondChunked(channel);
    String head = wire(channel);
    respondChunked(channel);
    String get = wire(channel);

    // A chunked terminator after the HEAD response would be read as the start of the next response.
    assertThat(head).isEqualTo("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
    assertThat(get).isEqualTo("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n");
  }

  @Test
  void anInterimResponseDoesNotAnswerTheRequest() {
    PendingMethods pending = new PendingMethods();
    EmbeddedChannel channel = new EmbeddedChannel(new ResponseEncoder(pending));
    pending.requested(HttpMethod.HEAD);

    channel.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE),
        LastHttpContent.EMPTY_LAST_CONTENT);
    wire(channel);
    respondChunked(channel);

    assertThat(wire(channel)).doesNotContain("0\r\n\r\n");
  }
}
