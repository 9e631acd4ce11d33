package io.meshfed.trust.cli;

import io.meshfed.trust.TrustBundle;
import io.meshfed.trust.TrustDomain;
import io.meshfed.trust.ca.local.LocalRoot;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code meshfed ca init}: creates the local root CA, or reports the one already there. */
@Command(name = "init", mixinStandardHelpOptions = true,
    description = "Create the local root CA in <data-dir>/ca (an existing root is kept and shown).")
final class CaInitCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Mixin
  CaCommand.DataDir data = new CaCommand.DataDir();

  @Option(names = "--trust-domain", paramLabel = "DOMAIN", defaultValue = "cluster.local",
      description = "Trust domain of the mesh (default: ${DEFAULT-VALUE}, like Istio).")
  String trustDomain;

  @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "3650d", converter = DurationConverter.class,
      description = "Lifetime of a new root (default: ${DEFAULT-VALUE}).")
  Duration ttl;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      TrustDomain domain = TrustDomain.of(trustDomain);
      if (LocalRoot.exists(data.caDirectory())) {
        LocalRoot existing = LocalRoot.load(data.caDirectory());
        if (!existing.trustDomain().equals(domain)) {
          spec.commandLine().getErr().println(spec.qualifiedName() + ": " + data.caDirectory()
              + " already holds a root for trust domain " + existing.trustDomain() + ", not " + domain
              + " (use another --data-dir, or keep " + existing.trustDomain() + ")");
          return 1;
        }
        out.println("root CA already present in " + data.caDirectory() + " (unchanged)");
        describe(out, existing);
        return 0;
      }
      LocalRoot root = LocalRoot.create(data.caDirectory(), domain, ttl);
      out.println("created root CA in " + data.caDirectory());
      describe(out, root);
      return 0;
    } catch (RuntimeException e) {
      return CaCommand.failed(spec, e);
    }
  }

  static void describe(PrintWriter out, LocalRoot root) {
    out.println("  trust domain: " + root.trustDomain());
    out.println("  subject:      " + root.certificate().getSubjectX500Principal().getName());
    out.println("  valid until:  " + root.certificate().getNotAfter().toInstant());
    out.println("  sha256:       " + TrustBundle.fingerprint(root.certificate()));
    out.println("  key file:     " + root.directory().resolve("root-key.pem") + " (mode 0600)");
    if (!root.previousRoots().isEmpty()) {
      out.println("  also trusted: " + root.previousRoots().size() + " earlier root(s) in trusted-roots.pem");
    }
  }
}
