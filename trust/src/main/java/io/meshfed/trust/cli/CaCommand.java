package io.meshfed.trust.cli;

import io.meshfed.trust.ca.CaException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meshfed ca}: the local CA's tools. {@code init} creates the root in the data directory, {@code issue} writes
 * a key, certificate chain and bundle for one SPIFFE ID (for curl, openssl or a test workload), {@code inspect} shows
 * the root or checks a certificate against it.
 *
 * <p>Exit codes: 0 ok, 1 failed (the message says why and how to fix it), 2 usage error.
 */
@Command(name = "ca", mixinStandardHelpOptions = true,
    description = "Manage the local CA (the embedded default when no Vault is configured): init, issue, inspect.",
    subcommands = {CaInitCommand.class, CaIssueCommand.class, CaInspectCommand.class},
    footer = {"", "The root lives in <data-dir>/ca (key file mode 0600). Exit codes: 0 ok, 1 failed, 2 usage error."})
public final class CaCommand implements Callable<Integer> {

  /** Where {@code --data-dir} points when not given: {@code $MESHFED_DATA_DIR}, else {@code ./meshfed-data}. */
  static final String DEFAULT_DATA_DIR = "${MESHFED_DATA_DIR:-meshfed-data}";

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 0;
  }

  /** The options every {@code meshfed ca} subcommand shares. */
  static final class DataDir {
    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = DEFAULT_DATA_DIR,
        description = "meshfed's data directory; the root CA is in DIR/ca (default: $MESHFED_DATA_DIR or"
            + " ./meshfed-data).")
    Path dataDir;

    Path caDirectory() {
      return io.meshfed.trust.ca.local.LocalCertificateAuthority.caDirectory(dataDir);
    }
  }

  /** Prints a CA failure on one line and returns the failure exit code. */
  static int failed(CommandLine.Model.CommandSpec spec, RuntimeException e) {
    String message = e instanceof CaException || e instanceof IllegalArgumentException ? e.getMessage() : e.toString();
    spec.commandLine().getErr().println(spec.qualifiedName() + ": " + message);
    return 1;
  }
}
