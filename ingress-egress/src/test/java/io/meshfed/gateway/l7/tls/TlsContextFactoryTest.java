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
    // SEC1 ("EC PRIVATE KEY") as openssl and cert-manager write it; PKCS#8 as Kubernetes tooling often does.
    org.junit.jupiter.api.Assumptions.assumeTrue(new java.io.File("/usr/bin/openssl").canExecute(),
        "openssl is not installed");
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("keys");
    Process sec1 = new ProcessBuilder("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out",
        dir.resolve("sec1.pem").toString()).redirectErrorStream(true).start();
    assertThat(sec1.waitFor()).isZero();
    Process pkcs8 = new ProcessBuilder("openssl", "pkcs8", "-topk8", "-nocrypt", "-in",
        dir.resolve("sec1.pem").toString(), "-out", dir.resolve("pkcs8.pem").toString())
        .redirectErrorStream(true).start();
    assertThat(pkcs8.waitFor()).isZero();

    var fromSec1 = KeyMaterial.privateKey(java.nio.file.Files.readAllBytes(dir.resolve("sec1.pem")));
    var fromPkcs8 = KeyMaterial.privateKey(java.nio.file.Files.readAllBytes(dir.resolve("pkcs8.pem")));

    assertThat(fromSec1.getAlgorithm()).isIn("EC", "ECDSA");
    assertThat(((java.security.interfaces.ECPrivateKey) fromSec1).getS())
        .isEqualTo(((java.security.interfaces.ECPrivateKey) fromPkcs8).getS());
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
