package io.meshfed.trust.cli;

import io.meshfed.trust.Pem;
import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.Svid;
import io.meshfed.trust.ca.CaConfig;
import io.meshfed.trust.ca.CaException;
import io.meshfed.trust.ca.CertificateRequest;
import io.meshfed.trust.ca.IntermediateSigner;
import io.meshfed.trust.ca.KeyAlgorithm;
import io.meshfed.trust.ca.SvidRequest;
import io.meshfed.trust.ca.local.LocalRoot;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code meshfed ca issue}: an X509-SVID from the local CA, as files: {@code key.pem} (PKCS#8, mode 0600),
 * {@code cert.pem} (leaf then intermediate) and {@code bundle.pem} (the roots).
 */
@Command(name = "issue", mixinStandardHelpOptions = true,
    description = {"Issue an X509-SVID from the local CA and write key.pem, cert.pem and bundle.pem to --out.",
        "Use them with curl (--cert cert.pem --key key.pem --cacert bundle.pem) or openssl."})
final class CaIssueCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Mixin
  CaCommand.DataDir data = new CaCommand.DataDir();

  @Option(names = "--spiffe-id", required = true, paramLabel = "ID",
      description = "Identity to certify: spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>.")
  String spiffeId;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write the files to.")
  Path out;

  @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "24h", converter = DurationConverter.class,
      description = "Lifetime of the certificate (default: ${DEFAULT-VALUE}; at most 7d).")
  Duration ttl;

  @Option(names = "--key-type", paramLabel = "TYPE", defaultValue = "ec",
      description = "ec (ECDSA P-256, default) or rsa (RSA-2048).")
  String keyType;

  @Option(names = "--cluster", paramLabel = "NAME", defaultValue = "cli",
      description = "Names the intermediate that signs it (default: ${DEFAULT-VALUE}).")
  String cluster;

  @Override
  public Integer call() {
    try {
      SpiffeId id = SpiffeId.parse(spiffeId);
      KeyAlgorithm algorithm = KeyAlgorithm.parse(keyType);
      CaConfig limits = CaConfig.builder(io.meshfed.trust.ca.CaMode.LOCAL).dataDirectory(data.dataDir)
          .clusterId(cluster).build();
      Duration lifetime = limits.leafTtl(ttl);
      LocalRoot root = LocalRoot.load(data.caDirectory());
      if (!root.trustDomain().equals(id.trustDomain())) {
        throw new CaException(CaException.Reason.WRONG_TRUST_DOMAIN, "--spiffe-id: " + id + " is in trust domain "
            + id.trustDomain() + " but the local CA serves " + root.trustDomain());
      }
      IntermediateSigner signer = root.intermediate(cluster, limits.intermediateTtl(), Set.of());
      SvidRequest request = SvidRequest.create(id, algorithm);
      Svid svid = request.complete(signer.sign(CertificateRequest.parse(request.csrPem()), id, lifetime));
      write(svid);
      PrintWriter printer = spec.commandLine().getOut();
      printer.println("issued " + id + " (serial " + svid.serial() + ", valid until " + svid.notAfter() + ")");
      printer.println("  " + out.resolve("key.pem") + "     private key (PKCS#8, mode 0600)");
      printer.println("  " + out.resolve("cert.pem") + "    certificate chain, leaf first");
      printer.println("  " + out.resolve("bundle.pem") + "  trust bundle (root CA certificates)");
      printer.println("try: curl --cert " + out.resolve("cert.pem") + " --key " + out.resolve("key.pem")
          + " --cacert " + out.resolve("bundle.pem") + " https://...");
      printer.println("     openssl verify -CAfile " + out.resolve("bundle.pem") + " -untrusted " + out.resolve("cert.pem")
          + " " + out.resolve("cert.pem"));
      return 0;
    } catch (IOException e) {
      spec.commandLine().getErr().println(spec.qualifiedName() + ": cannot write to " + out + ": " + e);
      return 1;
    } catch (RuntimeException e) {
      return CaCommand.failed(spec, e);
    }
  }

  private void write(Svid svid) throws IOException {
    Files.createDirectories(out);
    Path key = out.resolve("key.pem");
    Files.deleteIfExists(key);
    if (Files.getFileStore(out).supportsFileAttributeView(PosixFileAttributeView.class)) {
      Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(key);
    }
    Files.writeString(key, svid.privateKeyPem(), StandardCharsets.US_ASCII);
    Files.writeString(out.resolve("cert.pem"), svid.chainPem(), StandardCharsets.US_ASCII);
    Files.writeString(out.resolve("bundle.pem"), Pem.encodeCertificates(svid.bundle().roots()),
        StandardCharsets.US_ASCII);
  }
}
