package io.meshfed.gateway.eastwest.hello;

import io.netty.buffer.ByteBuf;

/**
 * Reads a ClientHello from the raw bytes of a connection as they arrive: record layer, then handshake layer, then
 * body. One instance per connection; not thread-safe (it lives on the connection's event loop).
 */
public final class ClientHelloReader {

  private final TlsRecordReader records;

  /** @param maxBytes the bound on the raw bytes the hello may occupy (record headers included) */
  public ClientHelloReader(int maxBytes) {
    if (maxBytes < TlsRecordReader.HEADER_LENGTH + HandshakeReader.HEADER_LENGTH) {
      throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: >= 9)");
    }
    this.records = new TlsRecordReader(new HandshakeReader(maxBytes));
  }

  /**
   * Offers everything received so far ({@code [readerIndex, writerIndex)}; the indexes are not moved).
   *
   * @return the hello when complete, {@code null} when more bytes are needed
   * @throws ClientHelloException when the bytes cannot become a ClientHello within the bound
   */
  public ClientHello read(ByteBuf received) throws ClientHelloException {
    return records.read(received);
  }
}
