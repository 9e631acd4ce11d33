package io.meshfed.federation.relay;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.util.HashMap;
import java.util.Map;

/**
 * The relay's one-line handshake inside TLS, before any Hazelcast byte: the dialer says
 * {@code MESHFED-FEDERATION/1 mesh=<mesh id> from=<member> to=<member>}; the acceptor answers {@code OK} or
 * {@code REFUSED <reason>}. It is how a member of another mesh is refused with a clear error on both sides
 * (Hazelcast itself ignores join requests with another cluster name without saying why).
 */
final class Hello {

  static final String PROTOCOL = "MESHFED-FEDERATION/1";
  private static final int MAX_LINE = 1024;

  /** A line read from a socket, and the bytes that followed it (the start of the tunnelled stream). */
  record Line(String text, Buffer rest) {
  }

  private Hello() {
  }

  static String request(String meshId, String from, String to) {
    return PROTOCOL + " mesh=" + meshId + " from=" + from + " to=" + to + "\n";
  }

  static Map<String, String> parseRequest(String line) {
    String[] parts = line.trim().split(" ");
    if (parts.length == 0 || !parts[0].equals(PROTOCOL)) {
      throw new IllegalArgumentException("hello: " + abbreviate(line) + " (expected: " + PROTOCOL + " ...)");
    }
    Map<String, String> fields = new HashMap<>();
    for (int i = 1; i < parts.length; i++) {
      int eq = parts[i].indexOf('=');
      if (eq > 0) {
        fields.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
      }
    }
    for (String required : new String[] {"mesh", "from", "to"}) {
      if (!fields.containsKey(required)) {
        throw new IllegalArgumentException("hello: missing " + required + " (expected: mesh=, from=, to=)");
      }
    }
    return fields;
  }

  /** Reads one line, then pauses the socket so no byte after it is lost before the tunnel is wired. */
  static Future<Line> readLine(NetSocket socket) {
    Promise<Line> line = Promise.promise();
    Buffer received = Buffer.buffer();
    socket.handler(chunk -> {
      received.appendBuffer(chunk);
      int newline = indexOf(received, (byte) '\n');
      if (newline >= 0) {
        socket.pause();
        socket.handler(null);
        line.tryComplete(new Line(received.getString(0, newline).trim(),
            received.getBuffer(newline + 1, received.length())));
      } else if (received.length() > MAX_LINE) {
        line.tryFail(new IllegalArgumentException("hello: longer than " + MAX_LINE + " bytes"));
        socket.close();
      }
    });
    socket.closeHandler(v -> line.tryFail(new IllegalStateException("closed before the hello completed")));
    socket.exceptionHandler(line::tryFail);
    return line.future();
  }

  private static int indexOf(Buffer buffer, byte value) {
    for (int i = 0; i < buffer.length(); i++) {
      if (buffer.getByte(i) == value) {
        return i;
      }
    }
    return -1;
  }

  static String abbreviate(String text) {
    String printable = text.replaceAll("[^\\x20-\\x7e]", "?");
    return printable.length() > 80 ? printable.substring(0, 80) + "..." : printable;
  }
}
