package io.meshfed.it.bench.trust;

import io.meshfed.trust.PeerVerification;
import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.TrustBundle;
import io.meshfed.trust.TrustDomain;
import io.meshfed.trust.ca.CaCertificates;
import io.meshfed.trust.ca.CertificateRequest;
import io.meshfed.trust.ca.IntermediateSigner;
import io.meshfed.trust.ca.IssuedCertificate;
import io.meshfed.trust.ca.KeyAlgorithm;
import io.meshfed.trust.ca.SvidRequest;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Issue 3's speed target: a local intermediate signs at least 2,000 ECDSA P-256 SVIDs per second on one core.
 *
 * <ul>
 *   <li>{@link #signLeaf}: the signing itself: a leaf for an already checked CSR, signed by the intermediate.</li>
 *   <li>{@link #csrToSvid}: the whole CA-side path for one request: parse the PEM CSR, verify its self-signature
 *       (proof of possession), check the SPIFFE ID against the caller's, then sign.</li>
 *   <li>{@link #verifyPeer}: the per-handshake SPIFFE verification, for scale.</li>
 * </ul>
 *
 * <p>The workload's key generation is not the CA's work, so CSRs are made in setup. Besides wall-clock throughput,
 * each benchmark counts the thread's CPU time ({@code cpuNanos}) and operations ({@code ops}): on a shared, loaded
 * machine wall-clock throughput understates what one core does, while operations per CPU-second do not. Run with
 * {@code it/bench/run-jmh.sh SvidSigning} (one thread, one fork).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SvidSigningBenchmark {

  private static final int CSRS = 512;

  private final SpiffeId identity = SpiffeId.parse("spiffe://cluster.local/ns/bookinfo/sa/reviews");
  private IntermediateSigner signer;
  private String[] csrs;
  private CertificateRequest[] checked;
  private List<X509Certificate> chain;
  private int next;

  /** CPU time and operations of the measuring thread, reported beside the wall-clock score. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class CpuTime {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    public long cpuNanos;
    public long ops;
    private long start;

    @Setup(Level.Iteration)
    public void reset() {
      cpuNanos = 0;
      ops = 0;
    }

    void begin() {
      start = THREADS.getCurrentThreadCpuTime();
    }

    void end() {
      cpuNanos += THREADS.getCurrentThreadCpuTime() - start;
      ops++;
    }
  }

  @Setup
  public void setUp() {
    TrustDomain trustDomain = TrustDomain.of("cluster.local");
    KeyPair rootKey = KeyAlgorithm.EC_P256.generate();
    X509Certificate root = CaCertificates.selfSignedRoot(rootKey, trustDomain, "bench root", Duration.ofDays(30));
    KeyPair intermediateKey = KeyAlgorithm.EC_P256.generate();
    X509Certificate intermediate = CaCertificates.intermediate(intermediateKey.getPublic(), trustDomain,
        "bench intermediate", Duration.ofDays(10), root, rootKey.getPrivate());
    TrustBundle bundle = TrustBundle.builder(trustDomain).addRoot(root).build();
    signer = IntermediateSigner.create(intermediateKey.getPrivate(), List.of(intermediate), bundle);
    csrs = new String[CSRS];
    checked = new CertificateRequest[CSRS];
    for (int i = 0; i < CSRS; i++) {
      csrs[i] = SvidRequest.create(identity, KeyAlgorithm.EC_P256).csrPem();
      checked[i] = CertificateRequest.parse(csrs[i]);
    }
    chain = signer.sign(checked[0], identity, Duration.ofHours(24)).chain();
  }

  @Benchmark
  public IssuedCertificate signLeaf(CpuTime cpu) {
    cpu.begin();
    IssuedCertificate issued = signer.sign(checked[next++ & (CSRS - 1)], identity, Duration.ofHours(24));
    cpu.end();
    return issued;
  }

  @Benchmark
  public IssuedCertificate csrToSvid(CpuTime cpu) {
    cpu.begin();
    IssuedCertificate issued = signer.sign(CertificateRequest.parse(csrs[next++ & (CSRS - 1)]), identity,
        Duration.ofHours(24));
    cpu.end();
    return issued;
  }

  @Benchmark
  public PeerVerification verifyPeer(CpuTime cpu) {
    cpu.begin();
    PeerVerification result = signer.bundle().verify(chain);
    cpu.end();
    return result;
  }
}
