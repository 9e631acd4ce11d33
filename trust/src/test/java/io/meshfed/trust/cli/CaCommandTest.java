package io.meshfed.trust.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.trust.Pem;
import io.meshfed.trust.PeerVerification;
import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.Svid;
import io.meshfed.trust.SvidProvider;
import io.meshfed.trust.TrustBundle;
import io.meshfed.trust.tls.MeshTls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CaCommandTest {

  @TempDir
  Path temp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    CommandLine commandLine = new CommandLine(new CaCommand());
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }

  @Test
  void initCreatesTheRootOnceAndShowsIt() throws Exception {
    assertThat(run("init", "--data-dir", temp.toString(), "--trust-domain", "mesh.example")).isZero();
    assertThat(out.toString()).contains("created root CA in " + temp.resolve("ca"))
        .contains("trust domain: mesh.example").contains("(mode 0600)");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(temp.resolve("ca/root-key.pem"))))
        .isEqualTo("rw-------");
    String fingerprint = Files.readString(temp.resolve("ca/root-cert.pem"));

    assertThat(run("init", "--data-dir", temp.toString(), "--trust-domain", "mesh.example")).isZero();
    assertThat(out.toString()).contains("(unchanged)");
    assertThat(Files.readString(temp.resolve("ca/root-cert.pem"))).isEqualTo(fingerprint);

    assertThat(run("init", "--data-dir", temp.toString(), "--trust-domain", "other.example")).isEqualTo(1);
    assertThat(err.toString()).contains("already holds a root for trust domain mesh.example, not other.example");
  }

  @Test
  void issueWritesKeyCertAndBundleThatVerify() throws Exception {
    run("init", "--data-dir", temp.toString());
    Path outDir = temp.resolve("reviews");
    assertThat(run("issue", "--data-dir", temp.toString(), "--spiffe-id",
        "spiffe://cluster.local/ns/bookinfo/sa/reviews", "--out", outDir.toString(), "--ttl", "2h")).isZero();
    assertThat(out.toString()).contains("issued spiffe://cluster.local/ns/bookinfo/sa/reviews");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(outDir.resolve("key.pem"))))
        .isEqualTo("rw-------");

    Svid svid = read(outDir);
    assertThat(svid.spiffeId()).isEqualTo(SpiffeId.parse("spiffe://cluster.local/ns/bookinfo/sa/reviews"));
    assertThat(svid.chain()).hasSize(2);
    assertThat(svid.bundle().verify(svid.chain())).isInstanceOf(PeerVerification.Verified.class);

    assertThat(run("inspect", "--data-dir", temp.toString(), outDir.resolve("cert.pem").toString())).isZero();
    assertThat(out.toString()).contains("uri SANs:  [spiffe://cluster.local/ns/bookinfo/sa/reviews]")
        .contains("verified: spiffe://cluster.local/ns/bookinfo/sa/reviews");
  }

  @Test
  void badInputIsAClearErrorWithExitCode() throws Exception {
    assertThat(run("issue", "--data-dir", temp.toString(), "--spiffe-id", "spiffe://cluster.local/ns/a/sa/b",
        "--out", temp.resolve("x").toString())).isEqualTo(1);
    assertThat(err.toString()).contains("no root CA").contains("create one with `meshfed ca init`");

    run("init", "--data-dir", temp.toString());
    assertThat(run("issue", "--data-dir", temp.toString(), "--spiffe-id", "spiffe://cluster.local/workload/b",
        "--out", temp.resolve("x").toString())).isEqualTo(1);
    assertThat(err.toString()).contains("path \"/workload/b\" (expected: /ns/<namespace>/sa/<service-account>)");
    assertThat(run("issue", "--data-dir", temp.toString(), "--spiffe-id", "spiffe://other.mesh/ns/a/sa/b",
        "--out", temp.resolve("x").toString())).isEqualTo(1);
    assertThat(err.toString()).contains("but the local CA serves cluster.local");
    assertThat(run("issue", "--data-dir", temp.toString(), "--spiffe-id", "spiffe://cluster.local/ns/a/sa/b",
        "--out", temp.resolve("x").toString(), "--ttl", "soon")).isEqualTo(2);
    assertThat(err.toString()).contains("'soon' (expected: a number and a unit s, m, h or d, such as 24h)");
    assertThat(run("issue", "--data-dir", temp.toString(), "--spiffe-id", "spiffe://cluster.local/ns/a/sa/b",
        "--out", temp.resolve("x").toString(), "--ttl", "30d")).isEqualTo(1);
    assertThat(err.toString()).contains("ttl: PT720H (expected: between 1s and PT168H)");

    Path foreignData = temp.resolve("foreign");
    run("init", "--data-dir", foreignData.toString());
    run("issue", "--data-dir", foreignData.toString(), "--spiffe-id", "spiffe://cluster.local/ns/a/sa/b",
        "--out", temp.resolve("foreign-out").toString());
    assertThat(run("inspect", "--data-dir", temp.toString(), temp.resolve("foreign-out/cert.pem").toString()))
        .isEqualTo(1);
    assertThat(out.toString()).contains("NOT trusted: foreign_root");

    Path truncated = temp.resolve("truncated.pem");
    String cert = Files.readString(temp.resolve("foreign-out/cert.pem"));
    Files.writeString(truncated, cert.substring(0, 100));
    assertThat(run("inspect", "--data-dir", temp.toString(), truncated.toString())).isEqualTo(1);
    assertThat(err.toString()).contains(truncated + ": truncated PEM");
  }

  @Test
  void opensslAcceptsTheIssuedFiles() throws Exception {
    Assumptions.assumeTrue(onPath("openssl"), "openssl is not installed: cannot check the files with it");
    run("init", "--data-dir", temp.toString());
    Path outDir = temp.resolve("svid");
    run("issue", "--data-dir", temp.toString(), "--spiffe-id", "spiffe://cluster.local/ns/a/sa/b",
        "--out", outDir.toString());
    Process verify = new ProcessBuilder("openssl", "verify", "-CAfile", outDir.resolve("bundle.pem").toString(),
        "-untrusted", outDir.resolve("cert.pem").toString(), outDir.resolve("cert.pem").toString())
        .redirectErrorStream(true).start();
    String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(verify.waitFor()).as(output).isZero();
    assertThat(output).contains(": OK");
    Process key = new ProcessBuilder("openssl", "pkey", "-in", outDir.resolve("key.pem").toString(), "-noout")
        .redirectErrorStream(true).start();
    assertThat(key.waitFor()).as(new String(key.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
  }

  @Test
  void curlPresentsTheIssuedCertificateToAnMtlsServer() throws Exception {
    Assumptions.assumeTrue(onPath("curl"), "curl is not installed: cannot check the files with it");
    run("init", "--data-dir", temp.toString());
    Path client = temp.resolve("client");
    Path server = temp.resolve("server");
    run("issue", "--data-dir", temp.toString(), "--spiffe-id", "spiffe://cluster.local/ns/bookinfo/sa/curl",
        "--out", client.toString());
    run("issue", "--data-dir", temp.toString(), "--spiffe-id", "spiffe://cluster.local/ns/meshfed/sa/ingress",
        "--out", server.toString());
    Vertx vertx = Vertx.vertx();
    try {
      MeshTls tls = MeshTls.builder(SvidProvider.fixed(read(server)), new SimpleMeterRegistry()).build();
      CompletableFuture<SpiffeId> seen = new CompletableFuture<>();
      HttpServer http = vertx.createHttpServer(tls.httpServerOptions()).requestHandler(request -> {
        try {
          seen.complete(MeshTls.peerIdentity(request.connection().sslSession()));
        } catch (Exception e) {
          seen.completeExceptionally(e);
        }
        request.response().end("hello " + seen.getNow(null));
      });
      int port = http.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
          .actualPort();
      // SVIDs carry a SPIFFE ID, not a host name, so curl's host-name check is skipped (-k); the server still
      // requires and verifies curl's client certificate, which is what this checks.
      Process curl = new ProcessBuilder("curl", "-sS", "-k", "--max-time", "20",
          "--cert", client.resolve("cert.pem").toString(), "--key", client.resolve("key.pem").toString(),
          "https://127.0.0.1:" + port + "/").redirectErrorStream(true).start();
      String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(curl.waitFor()).as(output).isZero();
      assertThat(output).isEqualTo("hello spiffe://cluster.local/ns/bookinfo/sa/curl");
      Assumptions.assumeTrue(onPath("openssl"), "openssl is not installed: cannot check the server with it");
      Process sClient = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + port,
          "-CAfile", client.resolve("bundle.pem").toString(), "-cert", client.resolve("cert.pem").toString(),
          "-key", client.resolve("key.pem").toString(), "-verify_return_error", "-brief")
          .redirectErrorStream(true).start();
      sClient.getOutputStream().close();
      String handshake = new String(sClient.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(handshake).as(handshake).contains("Verification: OK").contains("TLSv1.3");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static Svid read(Path dir) throws Exception {
    TrustBundle bundle = TrustBundle.builder("cluster.local")
        .addRootsPem(Files.readString(dir.resolve("bundle.pem")), "bundle.pem").build();
    List<java.security.cert.X509Certificate> chain = Pem.certificates(Files.readString(dir.resolve("cert.pem")),
        "cert.pem");
    return new Svid(Pem.privateKey(Files.readString(dir.resolve("key.pem")), "key.pem"), chain, bundle);
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }
}
