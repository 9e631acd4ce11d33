package io.meshfed.gateway.eastwest.hello;

import io.meshfed.gateway.eastwest.hello.ClientHelloException.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The ClientHello body (RFC 8446 section 4.1.2) down to the two extensions the router needs: server_name (RFC 6066
 * section 3) and application_layer_protocol_negotiation (RFC 7301 section 3.1). Every vector length is checked
 * against what remains of its enclosing vector, so no read leaves the body.
 */
final class ClientHelloBodyParser {

  static final int EXTENSION_SERVER_NAME = 0;
  static final int EXTENSION_ALPN = 16;
  static final int NAME_TYPE_HOST_NAME = 0;

  private final byte[] bytes;
  private int position;
  private final int end;

  private ClientHelloBodyParser(byte[] bytes, int offset, int length) {
    this.bytes = bytes;
    this.position = offset;
    this.end = offset + length;
  }

  static ClientHello parse(byte[] bytes, int offset, int length) throws ClientHelloException {
    return new ClientHelloBodyParser(bytes, offset, length).body();
  }

  private ClientHello body() throws ClientHelloException {
    skip(2, "legacy_version");
    skip(32, "random");
    int sessionId = u8("legacy_session_id length");
    if (sessionId > 32) {
      throw malformed("legacy_session_id length " + sessionId + " (expected: 0..32)");
    }
    skip(sessionId, "legacy_session_id");
    int ciphers = u16("cipher_suites length");
    if (ciphers < 2 || ciphers % 2 != 0) {
      throw malformed("cipher_suites length " + ciphers + " (expected: even, >= 2)");
    }
    skip(ciphers, "cipher_suites");
    int compression = u8("legacy_compression_methods length");
    if (compression < 1) {
      throw malformed("legacy_compression_methods length 0 (expected: >= 1)");
    }
    skip(compression, "legacy_compression_methods");
    String serverName = "";
    List<String> protocols = List.of();
    if (position == end) {
      // A TLS 1.2 hello may omit extensions altogether (RFC 5246 section 7.4.1.2).
      return new ClientHello(serverName, protocols);
    }
    int extensionsLength = u16("extensions length");
    if (extensionsLength != end - position) {
      throw malformed("extensions length " + extensionsLength + " (expected: the " + (end - position)
          + " bytes left in the ClientHello)");
    }
    Set<Integer> seen = new HashSet<>();
    while (position < end) {
      int type = u16("extension type");
      int length = u16("extension length");
      if (length > end - position) {
        throw malformed("extension " + type + " length " + length + " exceeds the " + (end - position)
            + " bytes left");
      }
      if (!seen.add(type)) {
        throw malformed("extension " + type + " appears twice (RFC 8446 section 4.2 forbids it)");
      }
      int next = position + length;
      if (type == EXTENSION_SERVER_NAME) {
        serverName = serverName(next);
      } else if (type == EXTENSION_ALPN) {
        protocols = protocols(next);
      }
      position = next;
    }
    return new ClientHello(serverName, protocols);
  }

  private String serverName(int limit) throws ClientHelloException {
    if (position == limit) {
      // An empty server_name extension is what a server sends back; tolerate it from a client as "no name".
      return "";
    }
    int listLength = u16("server_name_list length");
    if (listLength != limit - position) {
      throw malformed("server_name_list length " + listLength + " (expected: " + (limit - position) + ")");
    }
    String hostName = "";
    while (position < limit) {
      int nameType = u8("server name type");
      int length = u16("server name length");
      if (length == 0 || length > limit - position) {
        throw malformed("server name length " + length + " (expected: 1.." + (limit - position) + ")");
      }
      if (nameType == NAME_TYPE_HOST_NAME && hostName.isEmpty()) {
        for (int i = position; i < position + length; i++) {
          int c = bytes[i] & 0xff;
          if (c <= 0x20 || c >= 0x7f) {
            throw malformed("server name byte 0x" + Integer.toHexString(c) + " (expected: printable ASCII)");
          }
        }
        hostName = new String(bytes, position, length, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
      }
      position += length;
    }
    return hostName;
  }

  private List<String> protocols(int limit) throws ClientHelloException {
    int listLength = u16("protocol_name_list length");
    if (listLength < 2 || listLength != limit - position) {
      throw malformed("protocol_name_list length " + listLength + " (expected: " + (limit - position) + ", >= 2)");
    }
    List<String> names = new ArrayList<>();
    while (position < limit) {
      int length = u8("protocol name length");
      if (length == 0 || length > limit - position) {
        throw malformed("protocol name length " + length + " (expected: 1.." + (limit - position) + ")");
      }
      names.add(new String(bytes, position, length, StandardCharsets.ISO_8859_1));
      position += length;
    }
    return names;
  }

  private void skip(int count, String what) throws ClientHelloException {
    require(count, what);
    position += count;
  }

  private int u8(String what) throws ClientHelloException {
    require(1, what);
    return bytes[position++] & 0xff;
  }

  private int u16(String what) throws ClientHelloException {
    require(2, what);
    int value = (bytes[position] & 0xff) << 8 | bytes[position + 1] & 0xff;
    position += 2;
    return value;
  }

  private void require(int count, String what) throws ClientHelloException {
    if (count > end - position) {
      throw malformed(what + " needs " + count + " bytes, " + (end - position) + " left");
    }
  }

  private static ClientHelloException malformed(String message) {
    return new ClientHelloException(Kind.MALFORMED, message);
  }
}
