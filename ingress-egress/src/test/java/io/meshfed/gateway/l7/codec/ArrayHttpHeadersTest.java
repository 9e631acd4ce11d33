package io.meshfed.gateway.l7.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArrayHttpHeadersTest {

  private static HttpHeaders headers() {
    return ArrayHttpHeaders.FACTORY.newHeaders();
  }

  @Test
  void looksUpNamesCaseInsensitivelyAndKeepsArrivalOrder() {
    HttpHeaders headers = headers().add("Host", "shop").add(new AsciiString("X-Trace"), "a")
        .add("x-trace", "b").add("Accept", "*/*");

    assertThat(headers.get("HOST")).isEqualTo("shop");
    assertThat(headers.get(HttpHeaderNames.HOST)).isEqualTo("shop");
    assertThat(headers.getAll("X-TRACE")).containsExactly("a", "b");
    assertThat(headers.contains("accept")).isTrue();
    assertThat(headers.get("missing", "fallback")).isEqualTo("fallback");
    assertThat(headers.size()).isEqualTo(4);
    assertThat(headers.names()).containsExactly("Host", "X-Trace", "Accept");
    assertThat(headers.entries()).extracting(Map.Entry::getKey).containsExactly("Host", "X-Trace", "x-trace", "Accept");
  }

  @Test
  void setReplacesEveryValueOfANameAndRemoveDropsThemAll() {
    HttpHeaders headers = headers().add("a", "1").add("b", "x").add("A", "2").add("c", "y");

    headers.set("a", "3");
    assertThat(headers.getAll("a")).containsExactly("3");
    assertThat(headers.entries()).extracting(Map.Entry::getKey).containsExactly("a", "b", "c");
    headers.add("B", "z").remove("b");
    assertThat(headers.contains("b")).isFalse();
    assertThat(headers.size()).isEqualTo(2);
    headers.setInt("n", 7).set("bad", "x7").set("date", "Sun, 06 Nov 1994 08:49:37 GMT");
    assertThat(headers.getInt("n")).isEqualTo(7);
    assertThat(headers.getInt("bad", -1)).isEqualTo(-1);
    assertThat(headers.getShort("n")).isEqualTo((short) 7);
    assertThat(headers.getTimeMillis("date")).isEqualTo(784111777000L);
    assertThat(headers.clear().isEmpty()).isTrue();
  }

  @Test
  void namesAlikeInLengthAndEndsAreStillTold() {
    HttpHeaders headers = headers().add("x-a-b", "1").add("X-C-B", "2").add("x-A-b", "3").add("xb", "4")
        .add("x-c-b", "5");

    assertThat(headers.getAll("X-a-B")).containsExactly("1", "3");
    assertThat(headers.getAll("x-c-b")).containsExactly("2", "5");
    headers.remove("x-c-b");
    assertThat(headers.entries()).extracting(Map.Entry::getValue).containsExactly("1", "3", "4");
    assertThat(headers.get("XB")).isEqualTo("4");
    headers.set("X-A-B", "6").add("x-d-b", "7");
    assertThat(headers.entries()).extracting(Map.Entry::getValue).containsExactly("6", "4", "7");
    assertThat(headers.get("xb")).isEqualTo("4");
    assertThat(headers.copy().getAll("x-d-b")).containsExactly("7");
    assertThat(headers.contains("x-b-b")).isFalse();
  }

  @Test
  void answersNettysHttpUtilQuestionsLikeTheHashedHeaders() {
    HttpHeaders headers = headers().add("Connection", "Upgrade, close").add("Transfer-Encoding", "chunked")
        .add("Content-Length", "12");
    DefaultHttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, headers);

    assertThat(HttpUtil.isKeepAlive(response)).isFalse();
    assertThat(HttpUtil.isTransferEncodingChunked(response)).isTrue();
    assertThat(HttpUtil.getContentLength(response)).isEqualTo(12);
    assertThat(headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)).isTrue();
    assertThat(headers.contains("connection", "upgrade, close", false)).isFalse();
    assertThat(headers.contains("connection", "upgrade, close", true)).isTrue();
  }

  @Test
  void findsListElementsExactlyAsNettysHashedHeadersDo() {
    String[] lists = {"close", "close ,  ", "Close", "keep-alive, close", "close,keep-alive", "a,,close", "closed",
        "xclose", "close,", ",close", ",", "", "a,\tclose\t", "keep-alive ,\tCLOSE", "clo se", "a, b,c", "\u00c9"};
    String[] elements = {"close", "CLOSE", "keep-alive", "a", "b", "c", "", "\u00e9"};
    for (String list : lists) {
      HttpHeaders ours = headers().add("Connection", "other").add("connection", list);
      HttpHeaders netty = DefaultHttpHeadersFactory.headersFactory().newHeaders().add("Connection", "other")
          .add("connection", list);
      for (String element : elements) {
        for (boolean ignoreCase : new boolean[] {true, false}) {
          assertThat(ours.containsValue("CONNECTION", element, ignoreCase))
              .as("list '%s' has '%s' (ignore case %s)", list, element, ignoreCase)
              .isEqualTo(netty.containsValue("CONNECTION", element, ignoreCase));
        }
      }
    }
    assertThat(headers().containsValue("connection", "close", true)).isFalse();
  }

  @Test
  void refusesNamesAndValuesNettysValidatingHeadersRefuse() {
    assertThatThrownBy(() -> headers().add("bad name", "v")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("header name bad name").hasMessageContaining("expected: an RFC 9110 token");
    assertThatThrownBy(() -> headers().add("", "v")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> headers().set("x", "a\r\nInjected: yes")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0xd");
    assertThat(headers().add("x", "tab\tis fine").get("x")).isEqualTo("tab\tis fine");
  }

  @Test
  void holdsTextBeyondLatin1AsItsUtf8BytesSoNoCharTurnsIntoACrOrLf() {
    // U+010D and U+010A end in 0x0D and 0x0A: copied one low byte per char they would split the response.
    HttpHeaders headers = headers().add("x-name", "\u010d\u010a");

    assertThat(((ArrayHttpHeaders) headers).valueAt(0)).isInstanceOf(AsciiString.class);
    assertThat(((AsciiString) ((ArrayHttpHeaders) headers).valueAt(0)).toByteArray())
        .containsExactly(0xC4, 0x8D, 0xC4, 0x8A);
  }

  @Test
  void copiesAreIndependent() {
    HttpHeaders original = headers().add("a", "1");
    HttpHeaders copy = original.copy();

    copy.set("a", "2").add("b", "3");

    assertThat(original.get("a")).isEqualTo("1");
    assertThat(original.contains("b")).isFalse();
    assertThat(copy.get("a")).isEqualTo("2");
  }

  @Test
  void theResponseEncoderWritesThemAsTheyArrived() {
    EmbeddedChannel channel = new EmbeddedChannel(new ResponseEncoder(new PendingMethods()));
    HttpHeaders headers = headers().add(HttpHeaderNames.CONTENT_LENGTH, "0").add("X-Request-Id", "abc")
        .add("x-obs-text", "caf\u00e9");

    channel.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, headers),
        LastHttpContent.EMPTY_LAST_CONTENT);

    StringBuilder wire = new StringBuilder();
    for (ByteBuf part; (part = channel.readOutbound()) != null; part.release()) {
      wire.append(part.toString(StandardCharsets.ISO_8859_1));
    }
    assertThat(wire).hasToString("HTTP/1.1 200 OK\r\ncontent-length: 0\r\nX-Request-Id: abc\r\n"
        + "x-obs-text: caf\u00e9\r\n\r\n");
  }
}
