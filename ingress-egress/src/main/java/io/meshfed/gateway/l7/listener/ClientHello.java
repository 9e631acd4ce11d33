package io.meshfed.gateway.l7.listener;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a TLS ClientHello says about routing: SNI and ALPN (RFC 8446 §4.1.2, RFC 6066 §3, RFC 7301 §3.1). Parses
 * without consuming, across several records when the hello is fragmented, and never allocates more than the hello.
 *
 * @param sni the server name, lower case, empty when absent
 * @param alpn the offered protocols
 */
record ClientHello(String sni, List<String> alpn) {

  /** How far a buffer got: not TLS, not complete yet, or parsed. */
  enum Status { NOT_TLS, NEED_MORE, MALFORMED, DONE }

  /** The result of {@link #parse}. */
  record Result(Status status, ClientHello hello) {
  }

  private static final int MAX_HELLO = 64 * 1024;

  /** Parses the ClientHello at the buffer's reader index (not consumed). */
  static Result parse(ByteBuf in) {
    int start = in.readerIndex();
    int available = in.readableBytes();
    if (available < 1) {
      return new Result(Status.NEED_MORE, null);
    }
    if (in.getUnsignedByte(start) != 22) {
      return new Result(Status.NOT_TLS, null);
    }
    if (available < 5) {
      return new Result(Status.NEED_MORE, null);
    }
    if (in.getUnsignedByte(start + 1) != 3) {
      return new Result(Status.NOT_TLS, null);
    }
    // Reassemble the handshake bytes of consecutive handshake records.
    byte[] handshake = new byte[0];
    int offset = start;
    int needed = -1;
    while (true) {
      if (in.writerIndex() - offset < 5) {
        return new Result(Status.NEED_MORE, null);
      }
      if (in.getUnsignedByte(offset) != 22) {
        return new Result(Status.MALFORMED, null);
      }
      int length = in.getUnsignedShort(offset + 3);
      if (in.writerIndex() - offset - 5 < length) {
        return new Result(Status.NEED_MORE, null);
      }
      byte[] grown = new byte[handshake.length + length];
      System.arraycopy(handshake, 0, grown, 0, handshake.length);
      in.getBytes(offset + 5, grown, handshake.length, length);
      handshake = grown;
      offset += 5 + length;
      if (needed < 0 && handshake.length >= 4) {
        if (handshake[0] != 1) {
          return new Result(Status.MALFORMED, null);
        }
        needed = 4 + ((handshake[1] & 0xFF) << 16 | (handshake[2] & 0xFF) << 8 | (handshake[3] & 0xFF));
        if (needed > MAX_HELLO) {
          return new Result(Status.MALFORMED, null);
        }
      }
      if (needed >= 0 && handshake.length >= needed) {
        break;
      }
    }
    try {
      return new Result(Status.DONE, body(handshake, 4, needed));
    } catch (IndexOutOfBoundsException e) {
      return new Result(Status.MALFORMED, null);
    }
  }

  private static ClientHello body(byte[] b, int at, int end) {
    at += 2 + 32;
    at += 1 + (b[at] & 0xFF);
    at += 2 + u16(b, at);
    at += 1 + (b[at] & 0xFF);
    String sni = "";
    List<String> alpn = new ArrayList<>();
    if (at + 2 > end) {
      return new ClientHello(sni, alpn);
    }
    int extensionsEnd = at + 2 + u16(b, at);
    at += 2;
    while (at + 4 <= extensionsEnd) {
      int type = u16(b, at);
      int length = u16(b, at + 2);
      int data = at + 4;
      if (type == 0) {
        int listEnd = data + 2 + u16(b, data);
        int entry = data + 2;
        while (entry + 3 <= listEnd) {
          int nameLength = u16(b, entry + 1);
          if (b[entry] == 0) {
            sni = new String(b, entry + 3, nameLength, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
          }
          entry += 3 + nameLength;
        }
      } else if (type == 16) {
        int listEnd = data + 2 + u16(b, data);
        int entry = data + 2;
        while (entry < listEnd) {
          int protocolLength = b[entry] & 0xFF;
          alpn.add(new String(b, entry + 1, protocolLength, StandardCharsets.US_ASCII));
          entry += 1 + protocolLength;
        }
      }
      at = data + length;
    }
    return new ClientHello(sni, List.copyOf(alpn));
  }

  private static int u16(byte[] b, int at) {
    return (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
  }
}
