package io.meshfed.gateway.l7.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCounted;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TlsContextCacheTest {

  // TLS origination without a validation context: cheap to build, and a real reference-counted context.
  private static final UpstreamTlsSpec SPEC = new UpstreamTlsSpec("example.com", List.of(), null, List.of(), false,
      false, List.of(), List.of(), null, null);

  private final List<SslContext> built = new ArrayList<>();

  private SslContext build() throws TlsContextFactory.TlsUnavailableException {
    SslContext context = TlsContextFactory.client(SPEC, Map.of(), false);
    built.add(context);
    return context;
  }

  private static int refs(SslContext context) {
    return ((ReferenceCounted) context).refCnt();
  }

  @Test
  void eachCallerOwnsAReferenceAndTheCacheKeepsOneUntilRotationOrClose() throws Exception {
    TlsContextCache<String> cache = new TlsContextCache<>();
    SecretSpec secret = new SecretSpec.ValidationContext("ca", List.of(), List.of());
    List<SecretSpec> used = List.of(secret);

    SslContext first = cache.acquire("k", used, this::build);
    SslContext again = cache.acquire("k", List.of(secret), this::build);
    assertThat(again).isSameAs(first);
    assertThat(built).hasSize(1);
    assertThat(refs(first)).as("the cache's and the two callers'").isEqualTo(3);
    ((ReferenceCounted) first).release(2);

    // A rotated secret is a new object: a new context; the old one keeps only what callers still hold.
    SslContext held = cache.acquire("k", used, this::build);
    SslContext rotated = cache.acquire("k", List.of(new SecretSpec.ValidationContext("ca", List.of(), List.of())), this::build);
    assertThat(rotated).isNotSameAs(first);
    assertThat(refs(first)).as("only the caller that still holds it").isEqualTo(1);
    ((ReferenceCounted) held).release();
    assertThat(refs(first)).isZero();

    cache.close();
    assertThat(refs(rotated)).as("the caller's reference outlives the cache's").isEqualTo(1);
    ((ReferenceCounted) rotated).release();

    // After close a context is built for its caller alone, and the caller's release frees it.
    SslContext late = cache.acquire("k", List.of(secret), this::build);
    assertThat(refs(late)).isEqualTo(1);
    ((ReferenceCounted) late).release();
    assertThat(built).allSatisfy(context -> assertThat(refs(context)).isZero());
  }
}
