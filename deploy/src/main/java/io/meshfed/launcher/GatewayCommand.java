package io.meshfed.launcher;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meshfed gateway --role eastwest|ingress|egress}: run one gateway. Not built yet. */
@Command(name = "gateway", mixinStandardHelpOptions = true,
    description = {"Run one gateway, driven by its control plane over xDS.",
        "Not built yet: exits " + NotBuiltYet.EXIT_CODE + "."})
final class GatewayCommand implements Callable<Integer> {

  /** The three gateway roles a cluster runs. */
  enum Role { eastwest, ingress, egress }

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--role", required = true, paramLabel = "ROLE",
      description = "Which gateway to run: ${COMPLETION-CANDIDATES}.")
  Role role;

  @Override
  public Integer call() {
    return NotBuiltYet.report(spec, "the " + role + " gateway");
  }
}
