package io.meshfed.trust.ca.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.trust.PeerVerification;
import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.ca.CaConfig;
import io.meshfed.trust.ca.CaException;
import io.meshfed.trust.ca.CaMode;
import io.meshfed.trust.ca.CertificateAuthorities;
import io.meshfed.trust.ca.CertificateAuthority;
import io.meshfed.trust.ca.IssuedCertificate;
import io.meshfed.trust.ca.KeyAlgorithm;
import io.meshfed.trust.ca.SvidRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalCertificateAuthorityTest {

  private static final SpiffeId REVIEWS = SpiffeId.parse("spiffe://cluster.local/ns/bookinfo/sa/reviews");

  private final Vertx vertx = Vertx.vertx();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @TempDir
  Path data;

  @AfterEach
  void close() throws Exception {
    await(vertx.close());
  }

  @Test
  void firstStartCreatesTheRootAndSignsThroughAClusterIntermediate() throws Exception {
    CertificateAuthority ca = await(CertificateAuthorities.start(vertx, config("east"), registry));
    assertThat(data.resolve("ca/root-key.pem")).exists();
    SvidRequest request = SvidRequest.create(REVIEWS, KeyAlgorithm.EC_P256);
    IssuedCertificate issued = await(ca.sign(request.csrPem(), REVIEWS));
    assertThat(issued.chain()).hasSize(2);
    assertThat(issued.chain().get(1).getSubjectX500Principal().getName()).contains("meshfed intermediate east");
    assertThat(ca.trustBundle().verify(issued.chain())).isInstanceOf(PeerVerification.Verified.class);
    assertThat(registry.get("meshfed_ca_sign").tag("result", "ok").counter().count()).isEqualTo(1);
  }

  @Test
  void twoClustersShareTheRootWithTheirOwnIntermediates() throws Exception {
    LocalCertificateAuthority east = (LocalCertificateAuthority) await(
        CertificateAuthorities.start(vertx, config("east"), registry));
    LocalCertificateAuthority west = (LocalCertificateAuthority) await(
        CertificateAuthorities.start(vertx, config("west"), registry));
    assertThat(east.signer().certificate()).isNotEqualTo(west.signer().certificate());
    assertThat(east.trustBundle().roots()).isEqualTo(west.trustBundle().roots());
    SvidRequest request = SvidRequest.create(REVIEWS, KeyAlgorithm.EC_P256);
    IssuedCertificate fromWest = await(west.sign(request.csrPem(), REVIEWS));
    assertThat(east.trustBundle().verify(fromWest.chain()).verified()).isTrue();
  }

  @Test
  void badRequestsFailTheFutureWithTheReason() throws Exception {
    CertificateAuthority ca = await(CertificateAuthorities.start(vertx, config("east"), registry));
    SvidRequest forAdmin = SvidRequest.create(SpiffeId.parse("spiffe://cluster.local/ns/kube-system/sa/admin"),
        KeyAlgorithm.EC_P256);
    assertThat(failure(ca.sign(forAdmin.csrPem(), REVIEWS)).reason()).isEqualTo(CaException.Reason.IDENTITY_MISMATCH);
    assertThat(failure(ca.sign("garbage", REVIEWS)).reason()).isEqualTo(CaException.Reason.MALFORMED_CSR);
    SvidRequest ok = SvidRequest.create(REVIEWS, KeyAlgorithm.EC_P256);
    assertThat(failure(ca.sign(ok.csrPem(), REVIEWS, Duration.ofDays(30))).reason())
        .isEqualTo(CaException.Reason.INVALID_TTL);
    assertThat(registry.get("meshfed_ca_sign").tag("result", "identity_mismatch").counter().count()).isEqualTo(1);
    await(ca.close());
    assertThat(failure(ca.sign(ok.csrPem(), REVIEWS)).reason()).isEqualTo(CaException.Reason.CLOSED);
  }

  @Test
  void startFailsWhenTheRootKeyIsWorldReadable() throws Exception {
    LocalRoot.create(data.resolve("ca"), io.meshfed.trust.TrustDomain.of("cluster.local"), Duration.ofDays(1));
    java.nio.file.Files.setPosixFilePermissions(data.resolve("ca/root-key.pem"),
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
    assertThat(failure(CertificateAuthorities.start(vertx, config("east"), registry)).reason())
        .isEqualTo(CaException.Reason.MISCONFIGURED);
  }

  private CaConfig config(String cluster) {
    return CaConfig.builder(CaMode.LOCAL).trustDomain("cluster.local").clusterId(cluster).dataDirectory(data).build();
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  static CaException failure(Future<?> future) throws Exception {
    try {
      await(future);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(CaException.class);
      return (CaException) e.getCause();
    }
    throw new AssertionError("expected the future to fail");
  }
}
