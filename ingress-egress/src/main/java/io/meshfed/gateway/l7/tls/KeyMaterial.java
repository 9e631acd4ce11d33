package io.meshfed.gateway.l7.tls;

import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Turns an SDS {@code tls_certificate} into a key manager BoringSSL can use without re-encoding the key on every
 * handshake: Netty's plain key-manager path converts the key to native form per handshake, its caching factory does
 * it once (a several-fold difference in handshakes per second).
 */
final class KeyMaterial {

  private static final char[] PASSWORD = "meshfed".toCharArray();

  private KeyMaterial() {
  }

  static KeyManagerFactory keyManagerFactory(SecretSpec.TlsCertificate certificate) throws Exception {
    PrivateKey key = privateKey(certificate.keyPem());
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("key", key, PASSWORD, certificate.chain().toArray(new X509Certificate[0]));
    KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(store, PASSWORD);
    return new OpenSslCachingX509KeyManagerFactory(factory);
  }

  /** PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}) PEM. */
  static PrivateKey privateKey(byte[] pem) throws Exception {
    try (PEMParser parser = new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        if (object instanceof PEMKeyPair pair) {
          return converter.getPrivateKey(pair.getPrivateKeyInfo());
        }
        if (object instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
      }
    }
    throw new IllegalArgumentException("no private key in the PEM (expected: PKCS#8, PKCS#1 or SEC1)");
  }
}
