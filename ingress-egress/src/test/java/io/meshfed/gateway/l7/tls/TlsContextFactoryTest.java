package io.meshfed.gateway.l7.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.gateway.l7.testing.TestPki;
import io.netty.handler.ssl.SslContext;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TlsContextFactoryTest {

  @Test
  void readsSec1AndPkcs8PrivateKeys() throws Exception {
    java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    java.security.KeyPair pair = generator.generateKeyPair();
    java.io.StringWriter sec1 = new java.io.StringWriter();
    try (var writer = new org.bouncycastle.openssl.jcajce.JcaPEMWriter(sec1)) {
      writer.writeObject(pair);
    }
    assertThat(sec1.toString()).contains("BEGIN EC PRIVATE KEY");

    assertThat(KeyMaterial.privateKey(sec1.toString().getBytes(StandardCharsets.US_ASCII)).getEncoded())
        .isEqualTo(pair.getPrivate().getEncoded());
    String pkcs8 = "-----BEGIN PRIVATE KEY-----\n"
        + java.util.Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    assertThat(KeyMaterial.privateKey(pkcs8.getBytes(StandardCharsets.US_ASCII)).getEncoded())
        .isEqualTo(pair.getPrivate().getEncoded());
  }

  @Test
  void buildsServerContextsWithAndWithoutSessionResumption() throws Exception {
    TestPki pki = new TestPki("ca");
    TestPki.Leaf leaf = pki.leaf("server", List.of("bench.local"), List.of());
    SecretSpec.TlsCertificate secret = new SecretSpec.TlsCertificate("s",
        leaf.chainPem().getBytes(StandardCharsets.US_ASCII), leaf.keyPem().getBytes(StandardCharsets.US_ASCII),
        List.of(leaf.certificate()));
    DownstreamTlsSpec spec = new DownstreamTlsSpec(List.of("s"), null, List.of(), List.of(), false, List.of(),
        "TLSv1.3", "TLSv1.3", List.of());

    SslContext resuming = TlsContextFactory.server(spec, Map.of("s", secret), true, true);
    SslContext full = TlsContextFactory.server(spec, Map.of("s", secret), true, false);

    assertThat(resuming.sessionContext()).isNotNull();
    assertThat(full.isServer()).isTrue();
    var handler = TlsContextFactory.serverHandler(full, io.netty.buffer.ByteBufAllocator.DEFAULT, false);
    assertThat(handler.engine().getUseClientMode()).isFalse();
    handler.engine().closeOutbound();
    io.netty.util.ReferenceCountUtil.release(handler.engine());
    io.netty.util.ReferenceCountUtil.release(resuming);
    io.netty.util.ReferenceCountUtil.release(full);
  }
}
