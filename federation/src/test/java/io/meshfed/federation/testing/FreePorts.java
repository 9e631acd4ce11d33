package io.meshfed.federation.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports for the federation tests' Hazelcast members and relays. */
public final class FreePorts {

  private FreePorts() {
  }

  /** A loopback port nothing listened on a moment ago (the socket that found it is closed again). */
  public static int onLoopback() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
