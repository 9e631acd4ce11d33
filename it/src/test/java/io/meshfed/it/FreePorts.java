package io.meshfed.it;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for settings that must name one before a process binds it (Hazelcast, the federation relay). Taken below
 * Linux's ephemeral range (32768-60999 by default): a port probed free with "port 0" can be handed by the kernel to
 * another "port 0" bind of the same test before the process binds it; one of these cannot.
 */
public final class FreePorts {

  private static final int FIRST = 20_000;
  private static final int LAST = 32_000;

  private FreePorts() {
  }

  /** A port free on {@code host} now, outside the ephemeral range. */
  public static int on(String host) throws IOException {
    InetAddress address = InetAddress.getByName(host);
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(FIRST, LAST);
      try (ServerSocket probe = new ServerSocket(port, 1, address)) {
        return probe.getLocalPort();
      } catch (BindException taken) {
        // another one
      }
    }
    throw new IOException("no free port in " + FIRST + "-" + LAST + " on " + host + " after 200 tries");
  }
}
