package io.meshfed.control.plane.istio;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Istio's Gateway (networking.istio.io): the ports, protocols and hosts a gateway workload (selected by
 * {@code selector}) serves.
 */
public record Gateway(ResourceMeta meta, Map<String, String> selector, List<Server> servers)
    implements ConfigResource {

  public Gateway {
    selector = Map.copyOf(selector);
    servers = List.copyOf(servers);
  }

  /**
   * One server. Hosts are {@code namespace/host}; a bare host means {@code * /host} (VirtualServices of any
   * namespace may bind), {@code ./host} means the Gateway's namespace.
   */
  public record Server(Port port, List<String> hosts, Optional<ServerTls> tls, Optional<String> name) {

    public Server {
      hosts = List.copyOf(hosts);
    }
  }

  /** Gateway protocols, parsed case-insensitively as Istio does. */
  public enum Protocol {
    HTTP, HTTPS, HTTP2, GRPC, GRPC_WEB, TCP, TLS, MONGO, MYSQL, REDIS;

    public boolean isHttp() {
      return this == HTTP || this == HTTP2 || this == GRPC || this == GRPC_WEB;
    }

    public boolean isTls() {
      return this == HTTPS || this == TLS;
    }

    public static Optional<Protocol> parse(String text) {
      for (Protocol p : values()) {
        if (p.name().replace('_', '-').equalsIgnoreCase(text)) {
          return Optional.of(p);
        }
      }
      return Optional.empty();
    }
  }

  /** The port a server listens on, its protocol and its (unique) name. */
  public record Port(int number, Protocol protocol, String name) {
  }

  /** How a server handles TLS: terminate (SIMPLE, MUTUAL, ISTIO_MUTUAL) or pass it through by SNI. */
  public enum TlsMode { PASSTHROUGH, SIMPLE, MUTUAL, AUTO_PASSTHROUGH, ISTIO_MUTUAL }

  /** TLS protocol versions for minProtocolVersion / maxProtocolVersion. */
  public enum TlsVersion { TLS_AUTO, TLSV1_0, TLSV1_1, TLSV1_2, TLSV1_3 }

  /**
   * @param mode {@code PASSTHROUGH} when a {@code tls} block sets none (Istio's default)
   * @param credentialName a Secret (in the gateway's namespace) holding {@code tls.crt}/{@code tls.key}
   *     (and {@code ca.crt} for MUTUAL)
   */
  public record ServerTls(boolean httpsRedirect, TlsMode mode, Optional<String> credentialName,
      Optional<String> serverCertificate, Optional<String> privateKey, Optional<String> caCertificates,
      List<String> subjectAltNames, Optional<TlsVersion> minProtocolVersion, Optional<TlsVersion> maxProtocolVersion,
      List<String> cipherSuites) {

    public ServerTls {
      subjectAltNames = List.copyOf(subjectAltNames);
      cipherSuites = List.copyOf(cipherSuites);
    }
  }
}
