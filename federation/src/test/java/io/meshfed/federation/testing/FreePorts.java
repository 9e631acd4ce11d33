package io.meshfed.federation.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for the federation tests' Hazelcast members and relays, which must be named before they are bound. Taken below
 * Linux's ephemeral range (32768-60999 by default), as {@code io.meshfed.it.FreePorts} does for the end-to-end tests: a
 * port probed free with "port 0" can be handed by the kernel to another "port 0" bind of the same test before the
 * member binds it; one of these cannot.
 */
public final class FreePorts {

  private static final int FIRST = 20_000;
  private static final int LAST = 32_000;

  private FreePorts() {
  }

  /** A loopback port free now, outside the ephemeral range. */
  public static int onLoopback() {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(FIRST, LAST);
      try (ServerSocket probe = new ServerSocket(port, 1, loopback)) {
        return probe.getLocalPort();
      } catch (BindException taken) {
        // another one
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new UncheckedIOException(new IOException("no free loopback port in " + FIRST + "-" + LAST
        + " after 200 tries"));
  }
}
