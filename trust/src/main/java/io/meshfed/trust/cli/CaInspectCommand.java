package io.meshfed.trust.cli;

import io.meshfed.trust.Pem;
import io.meshfed.trust.PeerVerification;
import io.meshfed.trust.TrustBundle;
import io.meshfed.trust.ca.local.LocalRoot;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code meshfed ca inspect [CERT]}: shows the local root, or a certificate chain and whether the root trusts it. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = {"Show the local root CA; with CERT, show that chain and verify it against the local bundle.",
        "Exits 1 when the chain is not trusted, printing the reason (foreign_root, expired, wrong_trust_domain...)."})
final class CaInspectCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Mixin
  CaCommand.DataDir data = new CaCommand.DataDir();

  @Parameters(arity = "0..1", paramLabel = "CERT", description = "A PEM certificate chain, leaf first.")
  Path certificate;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      LocalRoot root = LocalRoot.load(data.caDirectory());
      if (certificate == null) {
        out.println("root CA in " + data.caDirectory());
        CaInitCommand.describe(out, root);
        return 0;
      }
      List<X509Certificate> chain = Pem.certificates(
          Files.readString(certificate, StandardCharsets.US_ASCII), certificate.toString());
      for (int i = 0; i < chain.size(); i++) {
        describe(out, i, chain.get(i));
      }
      PeerVerification result = root.verify(chain);
      if (result instanceof PeerVerification.Verified verified) {
        out.println("verified: " + verified.peer() + " (trusted by the root in " + data.caDirectory() + ")");
        return 0;
      }
      PeerVerification.Rejected rejected = (PeerVerification.Rejected) result;
      out.println("NOT trusted: " + rejected.reason().tag() + ": " + rejected.detail());
      out.println("  meaning: " + rejected.reason().description());
      return 1;
    } catch (IOException e) {
      spec.commandLine().getErr().println(spec.qualifiedName() + ": cannot read " + certificate + ": " + e);
      return 1;
    } catch (RuntimeException e) {
      return CaCommand.failed(spec, e);
    }
  }

  private static void describe(PrintWriter out, int index, X509Certificate certificate) {
    out.println("certificate " + index + (certificate.getBasicConstraints() >= 0 ? " (CA)" : " (leaf)"));
    String subject = certificate.getSubjectX500Principal().getName();
    out.println("  subject:   " + (subject.isEmpty() ? "(empty)" : subject));
    out.println("  issuer:    " + certificate.getIssuerX500Principal().getName());
    out.println("  serial:    " + certificate.getSerialNumber().toString(16));
    out.println("  valid:     " + certificate.getNotBefore().toInstant() + " .. "
        + certificate.getNotAfter().toInstant());
    out.println("  uri SANs:  " + uris(certificate));
    out.println("  sha256:    " + TrustBundle.fingerprint(certificate));
  }

  private static List<String> uris(X509Certificate certificate) {
    List<String> uris = new ArrayList<>();
    try {
      if (certificate.getSubjectAlternativeNames() != null) {
        for (List<?> name : certificate.getSubjectAlternativeNames()) {
          if ((Integer) name.get(0) == 6) {
            uris.add((String) name.get(1));
          }
        }
      }
    } catch (CertificateParsingException e) {
      uris.add("(unreadable: " + e.getMessage() + ")");
    }
    return uris;
  }
}
