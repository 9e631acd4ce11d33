package io.meshfed.gateway.eastwest.hello;

/**
 * What inspection found, fired as a user event by {@link ClientHelloDecoder}: a complete ClientHello (the connection
 * is TLS), or none because the first byte was not a TLS handshake record (Envoy's {@code raw_buffer}).
 */
public record HelloEvent(ClientHello hello) {

  public static final HelloEvent PLAINTEXT = new HelloEvent(null);

  public boolean tls() {
    return hello != null;
  }

  public String serverName() {
    return hello == null ? "" : hello.serverName();
  }
}
