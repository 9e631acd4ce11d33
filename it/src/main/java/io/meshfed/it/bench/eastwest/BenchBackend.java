package io.meshfed.it.bench.eastwest;

import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The benchmark's backends, one thread per connection (a load fixture, not the thing measured):
 * {@code bulk=ip:port} skips the ClientHello record then streams 64 KiB writes until the client leaves;
 * {@code echo=ip:port} skips the ClientHello record then echoes; {@code plain=ip:port} echoes from the first byte
 * (behind terminate mode, where the gateway has removed TLS); {@code tlsecho=ip:port:chain.pem:key.pem} terminates
 * the TLS session the client started and echoes (see {@link TlsEchoBackend}). After the hello, bytes are opaque to
 * both proxies, so what is measured is the proxy's splice, not the backend's TLS.
 */
public final class BenchBackend {

  private BenchBackend() {
  }

  public static void main(String[] args) throws Exception {
    for (String arg : args) {
      String[] kindAddress = arg.split("=", 2);
      String[] hostPort = kindAddress[1].split(":");
      if (kindAddress[0].equals("tlsecho")) {
        TlsEchoBackend.start(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])),
            new File(hostPort[2]), new File(hostPort[3]));
        continue;
      }
      ServerSocket server = new ServerSocket(Integer.parseInt(hostPort[1]), 4096,
          InetAddress.getByName(hostPort[0]));
      Thread acceptor = new Thread(() -> accept(server, kindAddress[0]), "accept-" + kindAddress[0]);
      acceptor.start();
    }
    System.out.println("backends ready");
    Thread.currentThread().join();
  }

  private static void accept(ServerSocket server, String kind) {
    while (true) {
      try {
        Socket socket = server.accept();
        socket.setTcpNoDelay(true);
        Thread worker = new Thread(() -> serve(socket, kind), kind);
        worker.setDaemon(true);
        worker.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void serve(Socket socket, String kind) {
    try (socket) {
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      if (!kind.equals("plain")) {
        skipHello(new DataInputStream(in));
      }
      if (kind.equals("bulk")) {
        byte[] chunk = new byte[64 * 1024];
        ThreadLocalRandom.current().nextBytes(chunk);
        while (true) {
          out.write(chunk);
        }
      }
      byte[] buffer = new byte[16 * 1024];
      for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
        out.write(buffer, 0, read);
      }
    } catch (IOException e) {
      // The client left.
    }
  }

  /** Skips one TLS record (the ClientHello the proxies routed on). */
  static void skipHello(DataInputStream in) throws IOException {
    byte[] header = new byte[5];
    in.readFully(header);
    int length = (header[3] & 0xff) << 8 | header[4] & 0xff;
    in.readFully(new byte[length]);
  }
}
