package io.meshfed.gateway.l7.codec;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/**
 * Writes {@link ArrayHttpHeaders} as HTTP/1.1 header lines straight from their arrays: no iterator, no entry per
 * header, text copied in bulk. One per encoder (encoders are not shared), which owns its scratch array.
 */
final class HeaderLines {

  private static final short COLON_SPACE = (':' << 8) | ' ';
  private static final short CRLF = ('\r' << 8) | '\n';

  private byte[] scratch = new byte[256];

  void write(ArrayHttpHeaders headers, ByteBuf buf) {
    for (int i = 0, size = headers.size(); i < size; i++) {
      CharSequence name = headers.nameAt(i);
      CharSequence value = headers.valueAt(i);
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
