package io.meshfed.control.plane.istio;

import static io.meshfed.control.plane.istio.MessageType.IGNORED_FIELD;
import static io.meshfed.control.plane.istio.MessageType.UNSUPPORTED_FIELD;

import io.meshfed.control.plane.istio.Gateway.Port;
import io.meshfed.control.plane.istio.Gateway.Protocol;
import io.meshfed.control.plane.istio.Gateway.Server;
import io.meshfed.control.plane.istio.Gateway.ServerTls;
import io.meshfed.control.plane.istio.Gateway.TlsMode;
import io.meshfed.control.plane.istio.Gateway.TlsVersion;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads and validates a Gateway spec, following Istio's validation rules. */
final class GatewayReader {

  GatewayReader() {
  }

  Gateway read(FieldReader spec, ResourceMeta meta) {
    Map<String, String> selector = spec.stringMap("selector");
    List<Server> servers = spec.list("servers", this::server);
    if (!spec.has("servers")) {
      spec.missing("servers", "at least one server");
    }
    Set<String> portNames = new HashSet<>();
    for (Server server : servers) {
      if (!portNames.add(server.port().name())) {
        spec.invalidHere("duplicate port name \"" + server.port().name() + "\" (expected: unique port names)",
            "rename one of the ports");
      }
    }
    return new Gateway(meta, selector, servers);
  }

  private Server server(FieldReader r) {
    Optional<Port> port = r.object("port", p -> {
      Optional<Integer> number = p.port("number");
      String name = p.requiredString("name");
      String protocolText = p.requiredString("protocol");
      Optional<Protocol> protocol = Protocol.parse(protocolText);
      if (protocol.isEmpty() && !protocolText.isEmpty()) {
        p.invalid("protocol", new ScalarValue(protocolText, p.position()),
            "one of HTTP, HTTPS, HTTP2, GRPC, GRPC-WEB, TCP, TLS, MONGO, MYSQL, REDIS", "use one of them");
      }
      if (number.isEmpty() && !p.has("number")) {
        p.missing("number", "a port number");
      }
      p.unsupported("targetPort", IGNORED_FIELD, "targetPort has no effect on gateways (as in Istio)");
      return number.isPresent() && protocol.isPresent() ? new Port(number.get(), protocol.get(), name) : null;
    });
    if (!r.has("port")) {
      r.missing("port", "port: {number, name, protocol}");
    }
    List<String> hosts = r.stringList("hosts");
    if (hosts.isEmpty()) {
      r.missing("hosts", "at least one host, e.g. \"*\"");
    }
    for (int i = 0; i < hosts.size(); i++) {
      String host = hosts.get(i);
      String[] parts = host.split("/", -1);
      if (parts.length > 2 || parts.length == 2 && !parts[0].equals(".") && !parts[0].equals("*")
          && !CommonReaders.DNS_LABEL.matcher(parts[0]).matches()) {
        r.invalid("hosts[" + i + "]", new ScalarValue(host, r.position()), "[namespace/]host",
            "write e.g. \"*/bookinfo.example.com\" or \"bookinfo.example.com\"");
      } else {
        CommonReaders.host(r, "hosts[" + i + "]", parts[parts.length - 1]);
      }
    }
    Optional<ServerTls> tls = r.object("tls", this::tls);
    Optional<String> name = r.string("name");
    r.unsupported("bind", UNSUPPORTED_FIELD, "meshfed gateways listen on all addresses of their host");
    r.unsupported("defaultEndpoint", UNSUPPORTED_FIELD, "forwarding to a default endpoint is a sidecar feature");
    port.ifPresent(p -> {
      if (p.protocol().isTls() && !r.has("tls")) {
        r.invalidHere("port " + p.number() + " is " + p.protocol() + " without tls settings (expected: a tls block)",
            "add tls: {mode: SIMPLE, credentialName: ...}");
      }
      boolean redirectOnly = tls.map(t -> t.httpsRedirect() && t.credentialName().isEmpty()
          && t.serverCertificate().isEmpty()).orElse(true);
      if (!p.protocol().isTls() && r.has("tls") && !(p.protocol().isHttp() && redirectOnly)) {
        r.invalidHere("tls settings on " + p.protocol() + " port " + p.number()
            + " (expected: only httpsRedirect on plain-text HTTP ports)", "use protocol HTTPS or TLS");
      }
      if (!p.protocol().isHttp() && tls.map(ServerTls::httpsRedirect).orElse(false)) {
        r.warnHere("tls", "httpsRedirect on a non-HTTP server has no effect", "remove httpsRedirect");
      }
    });
    return port.map(p -> new Server(p, hosts, tls, name)).orElse(null);
  }

  private ServerTls tls(FieldReader r) {
    boolean redirect = r.bool("httpsRedirect").orElse(false);
    TlsMode mode;
    if (r.string("mode").filter("OPTIONAL_MUTUAL"::equals).isPresent()) {
      r.unsupportedValue("mode", "optional client certificates are not implemented",
          "use MUTUAL (clients must present a certificate) or SIMPLE");
      mode = TlsMode.MUTUAL;
    } else {
      mode = r.enumValue("mode", TlsMode.class).orElse(TlsMode.PASSTHROUGH);
    }
    Optional<String> credential = r.string("credentialName");
    Optional<String> cert = r.string("serverCertificate");
    Optional<String> key = r.string("privateKey");
    Optional<String> ca = r.string("caCertificates");
    List<String> sans = r.stringList("subjectAltNames");
    Optional<TlsVersion> min = r.enumValue("minProtocolVersion", TlsVersion.class);
    Optional<TlsVersion> max = r.enumValue("maxProtocolVersion", TlsVersion.class);
    List<String> ciphers = r.stringList("cipherSuites");
    r.unsupported("credentialNames", UNSUPPORTED_FIELD, "use one credentialName");
    r.unsupported("tlsCertificates", UNSUPPORTED_FIELD, "use credentialName");
    r.unsupported("caCertCredentialName", UNSUPPORTED_FIELD, "put ca.crt in the credentialName Secret");
    r.unsupported("verifyCertificateSpki", UNSUPPORTED_FIELD, "client certificate pinning is not implemented");
    r.unsupported("verifyCertificateHash", UNSUPPORTED_FIELD, "client certificate pinning is not implemented");
    r.unsupported("caCrl", UNSUPPORTED_FIELD, "certificate revocation lists are not checked");
    boolean certificates = credential.isPresent() || cert.isPresent() || key.isPresent() || ca.isPresent();
    switch (mode) {
      case ISTIO_MUTUAL -> {
        if (certificates) {
          r.invalidHere("ISTIO_MUTUAL with certificates (expected: none; meshfed issues them)",
              "remove the certificate fields");
        }
      }
      case PASSTHROUGH, AUTO_PASSTHROUGH -> {
        if (certificates) {
          r.warnHere("mode", mode + " does not terminate TLS; the certificates are ignored", "remove them");
        }
      }
      case SIMPLE, MUTUAL -> {
        if (credential.isEmpty() && (cert.isEmpty() || key.isEmpty())) {
          r.invalidHere(mode + " without a server certificate (expected: credentialName, or serverCertificate and "
              + "privateKey)", "set credentialName to a Secret holding tls.crt and tls.key");
        }
        if (credential.isPresent() && cert.isPresent()) {
          r.invalidHere("both credentialName and serverCertificate (expected: one certificate source)",
              "keep credentialName");
        }
        if (mode == TlsMode.MUTUAL && credential.isEmpty() && ca.isEmpty()) {
          r.invalidHere("MUTUAL without a client CA (expected: caCertificates, or ca.crt in the credentialName "
              + "Secret)", "set caCertificates or use credentialName");
        }
      }
      default -> throw new IllegalStateException("unreachable: " + Arrays.toString(TlsMode.values()));
    }
    return new ServerTls(redirect, mode, credential, cert, key, ca, sans, min, max, ciphers);
  }
}
