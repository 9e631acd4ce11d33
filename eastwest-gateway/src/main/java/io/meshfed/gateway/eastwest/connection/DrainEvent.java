package io.meshfed.gateway.eastwest.connection;

/**
 * Fired down a downstream pipeline when the gateway drains: HTTP handlers finish the request in flight and close
 * (HTTP/1.1 with {@code Connection: close}, HTTP/2 with GOAWAY); L4 relays keep going until the drain deadline.
 */
public final class DrainEvent {

  public static final DrainEvent INSTANCE = new DrainEvent();

  private DrainEvent() {
  }
}
