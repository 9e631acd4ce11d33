package io.meshfed.gateway.l7.testing;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Raw bytes over a socket, for the request shapes no well-behaved client sends (smuggling, slowloris). */
public final class RawHttp implements AutoCloseable {

  private final Socket socket;

  public RawHttp(int port) throws Exception {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
  }

  public RawHttp send(String text) throws Exception {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return this;
  }

  /** Reads until the peer closes or {@code quietMillis} pass without bytes. */
  public String readAll(int quietMillis) throws Exception {
    socket.setSoTimeout(quietMillis);
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream read = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        read.write(buffer, 0, n);
      }
    } catch (SocketTimeoutException | java.net.SocketException e) {
      // quiet or reset: return what arrived
    }
    return read.toString(StandardCharsets.ISO_8859_1);
  }

  /** True when the peer closed the connection (read returns EOF) within {@code millis}. */
  public boolean closedWithin(int millis) throws Exception {
    socket.setSoTimeout(millis);
    try {
      InputStream in = socket.getInputStream();
      while (true) {
        if (in.read() < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (java.net.SocketException e) {
      return true;
    }
  }

  public static int status(String response) {
    if (!response.startsWith("HTTP/1.")) {
      return -1;
    }
    return Integer.parseInt(response.substring(9, 12));
  }

  public static String header(String response, String name) {
    for (String line : response.split("\r\n")) {
      if (line.isEmpty()) {
        break;
      }
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }

  @Override
  public void close() throws Exception {
    socket.close();
  }
}
