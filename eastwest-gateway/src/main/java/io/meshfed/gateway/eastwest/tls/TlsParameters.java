package io.meshfed.gateway.eastwest.tls;

import java.util.List;

/**
 * {@code CommonTlsContext.tls_params}: protocol version bounds (JDK names, {@code TLSv1.2}/{@code TLSv1.3}; empty for
 * the library default) and cipher suites (OpenSSL names, as Envoy takes them; empty for the default).
 */
public record TlsParameters(String minimumVersion, String maximumVersion, List<String> cipherSuites) {

  public static final TlsParameters DEFAULT = new TlsParameters("", "", List.of());

  public TlsParameters {
    cipherSuites = List.copyOf(cipherSuites);
  }

  /** The versions to enable between the bounds (TLS 1.2 minimum, as Envoy's default for servers). */
  public List<String> protocols() {
    List<String> all = List.of("TLSv1.2", "TLSv1.3");
    int from = minimumVersion.isEmpty() ? 0 : all.indexOf(minimumVersion);
    int to = maximumVersion.isEmpty() ? all.size() - 1 : all.indexOf(maximumVersion);
    return all.subList(Math.max(from, 0), Math.max(to, 0) + 1);
  }
}
