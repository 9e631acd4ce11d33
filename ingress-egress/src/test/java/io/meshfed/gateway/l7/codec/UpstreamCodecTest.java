package io.meshfed.gateway.l7.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The upstream pair: {@link RequestEncoder} records what it sends, {@link ResponseDecoder} frames the answers. */
class UpstreamCodecTest {

  private final PendingMethods pending = new PendingMethods();
  private final EmbeddedChannel channel = new EmbeddedChannel(new ResponseDecoder(pending),
      new RequestEncoder(pending));

  private String send(HttpMethod method, String uri, String... headerPairs) {
    DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri,
        Unpooled.EMPTY_BUFFER, ArrayHttpHeaders.FACTORY.newHeaders(), ArrayHttpHeaders.TRAILERS.newHeaders());
    for (int i = 0; i < headerPairs.length; i += 2) {
      request.headers().add(headerPairs[i], headerPairs[i + 1]);
    }
    channel.writeOutbound(request);
    StringBuilder wire = new StringBuilder();
    for (ByteBuf part; (part = channel.readOutbound()) != null; part.release()) {
      wire.append(part.toString(StandardCharsets.ISO_8859_1));
    }
    return wire.toString();
  }

  /** The decoded responses, each as "status headers-count body" with the body's bytes up to its last content. */
  private List<String> receive(String wire) {
    channel.writeInbound(Unpooled.copiedBuffer(wire, StandardCharsets.ISO_8859_1));
    List<String> responses = new ArrayList<>();
    StringBuilder current = null;
    for (Object message; (message = channel.readInbound()) != null; ReferenceCountUtil.release(message)) {
      if (message instanceof HttpResponse response) {
        assertThat(response.decoderResult().isSuccess()).as("decoded %s", response).isTrue();
        assertThat(response.headers()).isInstanceOf(ArrayHttpHeaders.class);
        current = new StringBuilder().append(response.status().code()).append(' ');
      }
      if (message instanceof HttpContent content) {
        current.append(content.content().toString(StandardCharsets.ISO_8859_1));
        if (content instanceof LastHttpContent) {
          responses.add(current.toString());
        }
      }
    }
    return responses;
  }

  @Test
  void writesArrayHeadersInTheirOrderAndCase() {
    String wire = send(HttpMethod.GET, "/x?y=1", "Host", "shop", "x-B", "2", "X-a", "1");

    assertThat(wire).isEqualTo("GET /x?y=1 HTTP/1.1\r\nHost: shop\r\nx-B: 2\r\nX-a: 1\r\n\r\n");
  }

  @Test
  void aResponseToHeadHasNoBodySoTheNextResponseIsReadWhole() {
    send(HttpMethod.HEAD, "/a", "Host", "shop");
    send(HttpMethod.GET, "/b", "Host", "shop");

    // Read as a body of 5, the HEAD's response would swallow the start of the GET's.
    List<String> responses = receive("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n"
        + "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi");

    assertThat(responses).containsExactly("200 ", "200 hi");
  }

  @Test
  void anInterimResponseAnswersNoRequest() {
    send(HttpMethod.HEAD, "/a", "Host", "shop", "Expect", "100-continue");
    send(HttpMethod.GET, "/b", "Host", "shop");

    List<String> responses = receive("HTTP/1.1 100 Continue\r\n\r\n"
        + "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
        + "HTTP/1.1 204 No Content\r\n\r\n");

    assertThat(responses).containsExactly("100 ", "200 ", "204 ");
    assertThat(pending.answered()).isNull();
  }

  @Test
  void aGetResponseKeepsItsBody() {
    send(HttpMethod.GET, "/a", HttpHeaderNames.HOST.toString(), "shop");

    assertThat(receive("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"))
        .containsExactly("200 abc");
  }
}
