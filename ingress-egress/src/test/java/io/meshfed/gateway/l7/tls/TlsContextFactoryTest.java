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
