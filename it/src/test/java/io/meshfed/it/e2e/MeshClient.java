package io.meshfed.it.e2e;

import io.meshfed.trust.Pem;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A client that speaks to an east-west gateway's :15443 as another cluster's gateway does: TLS with Istio's SNI
 * ({@code outbound_.9080_._.ratings.default.svc.cluster.local}) and ALPN {@code istio}, optionally presenting a
 * certificate, then one HTTP/1.1 request. The JDK's {@code SNIHostName} rejects the underscores of Istio's SNI, so the
 * name is sent as a raw {@code host_name} entry (RFC 6066 section 3: type 0, the name's bytes).
 */
final class MeshClient {

  /** What the gateway answered, and who it proved to be. */
  record Answer(String response, X509Certificate serverLeaf) {
  }

  private MeshClient() {
  }

  /**
   * Sends {@code GET path} through {@code gateway} with {@code sni}; {@code identityDir} holds {@code key.pem} and
   * {@code cert.pem} as {@code meshfed ca issue} writes them, or is null for no client certificate.
   *
   * @throws IOException when the gateway refuses the handshake or closes without answering
   */
  static Answer get(InetSocketAddress gateway, String sni, String path, Path identityDir) throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(identityDir == null ? null : keyManagers(identityDir), new TrustManager[] {new RecordingTrust()},
        null);
    try (SSLSocket socket = handshake(context, gateway, sni, false)) {
      X509Certificate leaf = (X509Certificate) socket.getSession().getPeerCertificates()[0];
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + sni + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      // TLS 1.3: a client certificate the gateway refuses shows as a closed connection on the first read.
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      if (response.isEmpty()) {
        throw new IOException("closed by the gateway without an answer");
      }
      return new Answer(response, leaf);
    }
  }

  /**
   * The leaf certificate the gateway presents in a new TLS 1.3 handshake with {@code sni}: the client's handshake
   * completes before the server checks the (absent) client certificate, so no identity is needed to see it.
   */
  static X509Certificate serverLeaf(InetSocketAddress gateway, String sni) throws Exception {
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(null, new TrustManager[] {new RecordingTrust()}, null);
    try (SSLSocket socket = handshake(context, gateway, sni, true)) {
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }

  private static SSLSocket handshake(SSLContext context, InetSocketAddress gateway, String sni, boolean tls13Only)
      throws IOException {
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
    try {
      socket.connect(gateway, 2000);
      socket.setSoTimeout(5000);
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setServerNames(List.of(new RawHostName(sni)));
      parameters.setApplicationProtocols(new String[] {"istio", "http/1.1"});
      if (tls13Only) {
        parameters.setProtocols(new String[] {"TLSv1.3"});
      }
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      return socket;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  private static KeyManager[] keyManagers(Path dir) throws Exception {
    var key = Pem.privateKey(Files.readString(dir.resolve("key.pem")), "key.pem");
    List<X509Certificate> chain = Pem.certificates(Files.readString(dir.resolve("cert.pem")), "cert.pem");
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("client", key, new char[0], chain.toArray(new X509Certificate[0]));
    KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(store, new char[0]);
    return factory.getKeyManagers();
  }

  /** A {@code host_name} server name carrying the bytes as they are. */
  private static final class RawHostName extends SNIServerName {
    RawHostName(String name) {
      super(0, name.getBytes(StandardCharsets.US_ASCII));
    }
  }

  /** Accepts the server's chain: the test checks the leaf's SPIFFE id itself. */
  private static final class RecordingTrust implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
