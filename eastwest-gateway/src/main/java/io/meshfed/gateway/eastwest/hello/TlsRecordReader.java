package io.meshfed.gateway.eastwest.hello;

import io.meshfed.gateway.eastwest.hello.ClientHelloException.Kind;
import io.netty.buffer.ByteBuf;

/**
 * The record layer (RFC 8446 section 5.1) of the bytes before the ClientHello completes: checks each record header
 * as soon as its five bytes arrive and hands complete handshake fragments to a {@link HandshakeReader}. Incremental:
 * each call resumes where the last stopped, so a hello sent one byte per packet costs linear, not quadratic, work.
 * Reads only within {@code [readerIndex, writerIndex)} of the buffer it is given and never moves its indexes.
 */
final class TlsRecordReader {

  static final int HEADER_LENGTH = 5;
  static final int CONTENT_TYPE_HANDSHAKE = 22;
  /** RFC 8446 section 5.1: a TLSPlaintext fragment is at most 2^14 bytes. */
  static final int MAX_FRAGMENT = 1 << 14;

  private final HandshakeReader handshake;
  private int offset;

  TlsRecordReader(HandshakeReader handshake) {
    this.handshake = handshake;
  }

  /**
   * Consumes every complete record now available.
   *
   * @return the ClientHello once its last fragment arrived, else {@code null} (more bytes needed)
   */
  ClientHello read(ByteBuf raw) throws ClientHelloException {
    int start = raw.readerIndex();
    int available = raw.writerIndex() - start;
    if (offset == 0 && available > 0 && raw.getUnsignedByte(start) != CONTENT_TYPE_HANDSHAKE) {
      throw new ClientHelloException(Kind.NOT_TLS,
          "first byte 0x" + Integer.toHexString(raw.getUnsignedByte(start)) + " is not a TLS handshake record (0x16)");
    }
    while (available - offset >= HEADER_LENGTH) {
      int at = start + offset;
      int type = raw.getUnsignedByte(at);
      int major = raw.getUnsignedByte(at + 1);
      int minor = raw.getUnsignedByte(at + 2);
      int length = raw.getUnsignedShort(at + 3);
      if (type != CONTENT_TYPE_HANDSHAKE) {
        throw new ClientHelloException(Kind.MALFORMED,
            "record type " + type + " at offset " + offset + " before the ClientHello completed (expected: 22)");
      }
      if (major != 3 || minor > 4) {
        throw new ClientHelloException(Kind.MALFORMED,
            "record version " + major + "." + minor + " at offset " + offset + " (expected: 3.0 to 3.4)");
      }
      if (length == 0 || length > MAX_FRAGMENT) {
        throw new ClientHelloException(Kind.MALFORMED,
            "record length " + length + " at offset " + offset + " (expected: 1.." + MAX_FRAGMENT + ")");
      }
      if (available - offset - HEADER_LENGTH < length) {
        // The header is valid; wait for the rest of the fragment. If this fragment starts the handshake message,
        // its header can already be judged (type, announced length), so a hello announcing too much fails now.
        handshake.checkBound(offset + HEADER_LENGTH + length);
        int partial = available - offset - HEADER_LENGTH;
        if (offset == 0 && partial >= HandshakeReader.HEADER_LENGTH) {
          handshake.checkHeader(raw, at + HEADER_LENGTH);
        }
        return null;
      }
      offset += HEADER_LENGTH + length;
      ClientHello hello = handshake.append(raw, at + HEADER_LENGTH, length, offset);
      if (hello != null) {
        return hello;
      }
    }
    return null;
  }

  /** How many raw bytes the records consumed so far. */
  int consumed() {
    return offset;
  }
}
