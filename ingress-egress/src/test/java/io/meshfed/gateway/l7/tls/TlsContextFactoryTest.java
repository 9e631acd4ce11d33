package io.meshfed.gateway.l7.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.gateway.l7.testing.TestPki;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.ReferenceCountedOpenSslClientContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.ReferenceCountedOpenSslServerContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCounted;
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

  /** A TLS 1.3 server context for a fresh CA's leaf, as a Gateway with one credential compiles to. */
  private static SslContext tls13Server(boolean resumption) throws Exception {
    TestPki pki = new TestPki("ca");
    TestPki.Leaf leaf = pki.leaf("server", List.of("bench.local"), List.of());
    SecretSpec.TlsCertificate secret = new SecretSpec.TlsCertificate("s",
        leaf.chainPem().getBytes(StandardCharsets.US_ASCII), leaf.keyPem().getBytes(StandardCharsets.US_ASCII),
        List.of(leaf.certificate()));
    DownstreamTlsSpec spec = new DownstreamTlsSpec(List.of("s"), null, List.of(), List.of(), false, List.of(),
        "TLSv1.3", "TLSv1.3", List.of());
    return TlsContextFactory.server(spec, Map.of("s", secret), true, resumption);
  }

  @Test
  void buildsServerContextsWithAndWithoutSessionResumption() throws Exception {
    SslContext resuming = tls13Server(true);
    SslContext full = tls13Server(false);

    assertThat(resuming.sessionContext()).isNotNull();
    assertThat(full.isServer()).isTrue();
    var handler = TlsContextFactory.serverHandler(full, io.netty.buffer.ByteBufAllocator.DEFAULT, false);
    assertThat(handler.engine().getUseClientMode()).isFalse();
    handler.engine().closeOutbound();
    io.netty.util.ReferenceCountUtil.release(handler.engine());
    io.netty.util.ReferenceCountUtil.release(resuming);
    io.netty.util.ReferenceCountUtil.release(full);
  }

  @Test
  void contextsAndEnginesAreReferenceCountedSoNoFinalizerHoldsThem() throws Exception {
    SslContext context = tls13Server(false);
    // Netty's OPENSSL provider builds subclasses with finalizers: every engine object then waited for the finalizer
    // thread before the collector could reclaim it (775 of 10,000 handshakes' engines after a full collection). The
    // reference-counted classes have none; the handler frees the engine when the connection goes.
    assertThat(context).isExactlyInstanceOf(ReferenceCountedOpenSslServerContext.class);
    ReferenceCounted counted = (ReferenceCounted) context;

    SslHandler handler = TlsContextFactory.serverHandler(context, ByteBufAllocator.DEFAULT, false);
    assertThat(handler.engine()).isExactlyInstanceOf(ReferenceCountedOpenSslEngine.class);
    ReferenceCounted engine = (ReferenceCounted) handler.engine();
    EmbeddedChannel channel = new EmbeddedChannel(handler);
    assertThat(counted.refCnt()).as("the engine holds its context").isEqualTo(2);

    channel.close().sync();
    channel.finishAndReleaseAll();

    assertThat(engine.refCnt()).as("the engine is freed when its connection closes").isZero();
    assertThat(counted.refCnt()).as("and lets go of its context, which the cache still holds").isEqualTo(1);
    counted.release();
  }

  @Test
  void clientContextsAreReferenceCountedToo() throws Exception {
    // TLS origination without a validation context: Envoy does not verify the peer.
    UpstreamTlsSpec spec = new UpstreamTlsSpec("example.com", List.of(), null, List.of(), false, false, List.of(),
        List.of(), null, null);
    SslContext context = TlsContextFactory.client(spec, Map.of(), false);
    assertThat(context).isExactlyInstanceOf(ReferenceCountedOpenSslClientContext.class);
    ((ReferenceCounted) context).release();
  }
}

