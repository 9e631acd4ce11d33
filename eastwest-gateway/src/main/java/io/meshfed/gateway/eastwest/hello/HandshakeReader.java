package io.meshfed.gateway.eastwest.hello;

import io.meshfed.gateway.eastwest.hello.ClientHelloException.Kind;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * The handshake layer (RFC 8446 section 4): reassembles fragments into the first handshake message, which must be a
 * ClientHello (type 1), checks its 24-bit length against the bound as soon as the header is complete, and hands the
 * finished body to {@link ClientHelloBodyParser}. The reassembly buffer grows only as bytes arrive.
 */
final class HandshakeReader {

  static final int HEADER_LENGTH = 4;
  static final int CLIENT_HELLO = 1;

  private final int maxRawBytes;
  private byte[] message = new byte[0];
  private int length;

  /** @param maxRawBytes the bound on the raw bytes (record headers included) the hello may take */
  HandshakeReader(int maxRawBytes) {
    this.maxRawBytes = maxRawBytes;
  }

  void checkBound(int rawBytes) throws ClientHelloException {
    if (rawBytes > maxRawBytes) {
      throw new ClientHelloException(Kind.TOO_LARGE,
          "ClientHello needs more than " + maxRawBytes + " bytes: " + rawBytes);
    }
  }

  /** Judges a handshake header still inside an incomplete record (see {@link TlsRecordReader}). */
  void checkHeader(ByteBuf raw, int index) throws ClientHelloException {
    checkHeader(raw.getUnsignedByte(index), raw.getUnsignedMedium(index + 1));
  }

  private int checkHeader(int type, int bodyLength) throws ClientHelloException {
    if (type != CLIENT_HELLO) {
      throw new ClientHelloException(Kind.MALFORMED, "handshake type " + type + " (expected: 1, client_hello)");
    }
    // Each record adds a 5-byte header; the smallest raw size this body can take is body + its headers.
    long minimumRaw = (long) HEADER_LENGTH + bodyLength
        + (long) TlsRecordReader.HEADER_LENGTH * ((HEADER_LENGTH + bodyLength + TlsRecordReader.MAX_FRAGMENT - 1)
            / TlsRecordReader.MAX_FRAGMENT);
    if (minimumRaw > maxRawBytes) {
      throw new ClientHelloException(Kind.TOO_LARGE,
          "ClientHello length exceeds " + maxRawBytes + ": " + bodyLength);
    }
    return bodyLength;
  }

  /**
   * @param rawConsumed raw bytes consumed including this fragment, for the bound
   * @return the parsed hello when the message completed with this fragment, else {@code null}
   */
  ClientHello append(ByteBuf raw, int index, int fragmentLength, int rawConsumed) throws ClientHelloException {
    checkBound(rawConsumed);
    if (message.length < length + fragmentLength) {
      message = Arrays.copyOf(message, Math.max(length + fragmentLength, Math.min(message.length * 2, maxRawBytes)));
    }
    raw.getBytes(index, message, length, fragmentLength);
    length += fragmentLength;
    if (length < HEADER_LENGTH) {
      return null;
    }
    int bodyLength = checkHeader(message[0] & 0xff,
        (message[1] & 0xff) << 16 | (message[2] & 0xff) << 8 | message[3] & 0xff);
    if (length < HEADER_LENGTH + bodyLength) {
      return null;
    }
    if (length > HEADER_LENGTH + bodyLength) {
      // RFC 8446 section 5.1: a record carrying the ClientHello's end must not carry the start of another message
      // before the key change; a well-formed client sends nothing else before the server's reply.
      throw new ClientHelloException(Kind.MALFORMED, (length - HEADER_LENGTH - bodyLength)
          + " bytes follow the ClientHello in its record (expected: none)");
    }
    return ClientHelloBodyParser.parse(message, HEADER_LENGTH, bodyLength);
  }
}
