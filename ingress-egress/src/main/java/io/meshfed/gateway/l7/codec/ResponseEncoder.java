package io.meshfed.gateway.l7.codec;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/**
 * Netty's HTTP/1.1 response encoder, writing {@link ArrayHttpHeaders} straight from their arrays (no iterator, no
 * entry per header; other headers, local replies', take Netty's path), and knowing which responses answer a HEAD.
 */
public final class ResponseEncoder extends HttpResponseEncoder {

  private final PendingMethods pending;

  /** An encoder for the responses to the requests recorded in {@code pending}. */
  public ResponseEncoder(PendingMethods pending) {
    this.pending = pending;
  }

  /** A response to HEAD has no body, even when its headers frame one (Netty's plain encoder ends a chunked one). */
  @Override
  protected boolean isContentAlwaysEmpty(HttpResponse response) {
    boolean head = response.status().codeClass() != HttpStatusClass.INFORMATIONAL
        && HttpMethod.HEAD.equals(pending.answered());
    return head || super.isContentAlwaysEmpty(response);
  }

  private static final short COLON_SPACE = (':' << 8) | ' ';
  private static final short CRLF = ('\r' << 8) | '\n';

  // One per connection (encoders are not shared): header text is copied through it in bulk.
  private byte[] scratch = new byte[256];

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
      writeText(buf, name);
      buf.writeShort(COLON_SPACE);
      writeText(buf, value);
      buf.writeShort(CRLF);
    }
  }

  /**
   * Writes header text one byte per char: {@link ArrayHttpHeaders} hold only chars 0-255 (a decoded header's String
   * is the wire's bytes, obs-text included; configured text beyond Latin-1 is held as its UTF-8 bytes), so copying the
   * low bytes in bulk gives the octets, where a US-ASCII encode would turn obs-text into '?'.
   */
  @SuppressWarnings("deprecation")
  private void writeText(ByteBuf buf, CharSequence text) {
    if (text instanceof AsciiString ascii) {
      buf.writeBytes(ascii.array(), ascii.arrayOffset(), ascii.length());
    } else if (text instanceof String string) {
      int length = string.length();
      if (length > scratch.length) {
        scratch = new byte[Math.max(length, scratch.length * 2)];
      }
      string.getBytes(0, length, scratch, 0);
      buf.writeBytes(scratch, 0, length);
    } else {
      buf.writeCharSequence(text, StandardCharsets.ISO_8859_1);
    }
  }
}
