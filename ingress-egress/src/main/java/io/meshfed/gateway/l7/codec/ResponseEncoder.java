package io.meshfed.gateway.l7.codec;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/**
 * Netty's HTTP/1.1 response encoder, writing {@link ArrayHttpHeaders} straight from their arrays (no iterator, no
 * entry per header); other headers (local replies) take Netty's path.
 */
public final class ResponseEncoder extends HttpResponseEncoder {

  private static final short COLON_SPACE = (':' << 8) | ' ';
  private static final short CRLF = ('\r' << 8) | '\n';

  @Override
  protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
    if (!(headers instanceof ArrayHttpHeaders array)) {
      super.encodeHeaders(headers, buf);
      return;
    }
    for (int i = 0, size = array.size(); i < size; i++) {
      CharSequence name = array.nameAt(i);
      CharSequence value = array.valueAt(i);
      buf.ensureWritable(name.length() + value.length() + 4);
      writeAscii(buf, name);
      buf.writeShort(COLON_SPACE);
      writeAscii(buf, value);
      buf.writeShort(CRLF);
    }
  }

  private static void writeAscii(ByteBuf buf, CharSequence text) {
    if (text instanceof AsciiString ascii) {
      buf.writeBytes(ascii.array(), ascii.arrayOffset(), ascii.length());
    } else {
      buf.writeCharSequence(text, StandardCharsets.US_ASCII);
    }
  }
}
