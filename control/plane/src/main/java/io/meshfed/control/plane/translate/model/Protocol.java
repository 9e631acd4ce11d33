package io.meshfed.control.plane.translate.model;

import io.meshfed.control.plane.istio.Gateway;
import java.util.Locale;

/**
 * A service port's protocol, chosen as Istio's explicit protocol selection does ("Protocol Selection"): the
 * Kubernetes {@code appProtocol} first, then the port name's prefix ({@code http-web}, {@code grpc}); anything else
 * is opaque TCP (meshfed does not sniff protocols).
 */
public enum Protocol {
  HTTP, HTTP2, GRPC, GRPC_WEB, HTTPS, TLS, TCP, MONGO, MYSQL, REDIS, UDP;

  /** Whether the gateway routes it at L7 (HTTP connection manager, routes, retries). */
  public boolean isHttp() {
    return this == HTTP || this == HTTP2 || this == GRPC || this == GRPC_WEB;
  }

  /** Whether upstream connections speak HTTP/2 (the cluster's {@code http2_protocol_options}). */
  public boolean isHttp2() {
    return this == HTTP2 || this == GRPC;
  }

  /** Istio's selection from {@code appProtocol} (may be null or empty) and the port name. */
  public static Protocol of(String name, String appProtocol) {
    if (appProtocol != null && !appProtocol.isEmpty()) {
      String app = appProtocol.toLowerCase(Locale.ROOT);
      if (app.equals("kubernetes.io/h2c")) {
        return HTTP2;
      }
      if (app.equals("kubernetes.io/ws") || app.equals("kubernetes.io/wss")) {
        return HTTP;
      }
      Protocol explicit = parse(app);
      if (explicit != null) {
        return explicit;
      }
    }
    String lower = name == null ? "" : name.toLowerCase(Locale.ROOT);
    int dash = lower.indexOf('-');
    String prefix = dash < 0 ? lower : lower.substring(0, dash);
    if (lower.startsWith("grpc-web")) {
      return GRPC_WEB;
    }
    Protocol byName = parse(prefix);
    return byName == null ? TCP : byName;
  }

  /** The protocol of an Istio Gateway server or ServiceEntry port. */
  public static Protocol of(Gateway.Protocol protocol) {
    return switch (protocol) {
      case HTTP -> HTTP;
      case HTTP2 -> HTTP2;
      case GRPC -> GRPC;
      case GRPC_WEB -> GRPC_WEB;
      case HTTPS -> HTTPS;
      case TLS -> TLS;
      case TCP -> TCP;
      case MONGO -> MONGO;
      case MYSQL -> MYSQL;
      case REDIS -> REDIS;
    };
  }

  private static Protocol parse(String text) {
    return switch (text) {
      case "http" -> HTTP;
      case "http2", "h2c" -> HTTP2;
      case "grpc" -> GRPC;
      case "grpc-web" -> GRPC_WEB;
      case "https" -> HTTPS;
      case "tls" -> TLS;
      case "tcp" -> TCP;
      case "mongo" -> MONGO;
      case "mysql" -> MYSQL;
      case "redis" -> REDIS;
      case "udp" -> UDP;
      default -> null;
    };
  }
}
