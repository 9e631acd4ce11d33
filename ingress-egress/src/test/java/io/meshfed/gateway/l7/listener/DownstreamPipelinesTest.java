package io.meshfed.gateway.l7.listener;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.meshfed.gateway.l7.testing.CapturedLogs;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.cert.CertificateException;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How a connection that fails before it is served is closed and reported. */
class DownstreamPipelinesTest {

  private CapturedLogs logged;

  @BeforeEach
  void capture() {
    logged = CapturedLogs.of(DownstreamPipelines.class.getName());
  }

  @AfterEach
  void release() {
    logged.close();
  }

  @Test
  void aClientsFailureClosesTheConnectionAndIsLoggedAtDebug() {
    SSLHandshakeException unparsable = new SSLHandshakeException("bad certificate");
    unparsable.initCause(new IllegalStateException(new CertificateException("the JDK cannot parse it")));
    List<Throwable> causes = List.of(new IOException("Connection reset by peer"),
        new DecoderException(new SSLHandshakeException("no client certificate")),
        new DecoderException(unparsable),
        Http2Exception.connectionError(Http2Error.FRAME_SIZE_ERROR, "Frame length: 4670804 exceeds maximum"),
        // Netty's reading of bad SETTINGS and HPACK: the peer's error, its parsing detail below it.
        Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR, new IllegalArgumentException("ENABLE_PUSH: 2"),
            "bad SETTINGS"));
    for (Throwable cause : causes) {
      EmbeddedChannel channel = failingWith(cause);

      assertThat(channel.isOpen()).as("%s", cause).isFalse();
    }
    assertThat(logged.warnings()).isEmpty();
    assertThat(logged.events()).filteredOn(event -> event.getLevel() == Level.DEBUG).hasSize(causes.size())
        .allSatisfy(event -> assertThat(event.getFormattedMessage())
            .startsWith("listener 0.0.0.0_8080: protocol detection with "));
  }

  @Test
  void aDefectIsLoggedAsOne() {
    SSLHandshakeException trustManagerThrew = new SSLHandshakeException("General OpenSslEngine problem");
    trustManagerThrew.initCause(new NullPointerException("a bug in the trust manager"));
    List<Throwable> causes = List.of(new IllegalStateException("a bug in choosing the pipeline"),
        new DecoderException(trustManagerThrew),
        Http2Exception.connectionError(Http2Error.INTERNAL_ERROR, "a bug in the HTTP/2 codec's use"),
        // Netty's header decoding turns anything it catches into COMPRESSION_ERROR, out of memory included.
        Http2Exception.connectionError(Http2Error.COMPRESSION_ERROR, new OutOfMemoryError("Direct buffer memory"),
            "decoding headers"),
        // A local failure behind an unchecked wrapper is no client's doing.
        new IllegalStateException(new UncheckedIOException(new IOException("cannot read the key"))));
    for (Throwable cause : causes) {
      EmbeddedChannel channel = failingWith(cause);

      assertThat(channel.isOpen()).as("%s", cause).isFalse();
    }
    assertThat(logged.warnings()).hasSize(causes.size());
  }

  private static EmbeddedChannel failingWith(Throwable cause) {
    EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter() {
      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable error) {
        DownstreamPipelines.closeOnError(ctx, "0.0.0.0_8080", "protocol detection", error);
      }
    });
    channel.pipeline().fireExceptionCaught(cause);
    channel.checkException();
    return channel;
  }
}
