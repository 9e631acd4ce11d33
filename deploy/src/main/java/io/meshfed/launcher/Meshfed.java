package io.meshfed.launcher;

import io.meshfed.control.plane.cli.AnalyzeCommand;
import io.meshfed.control.plane.cli.ControlPlaneCommand;
import io.meshfed.control.plane.cli.ExplainCommand;
import io.meshfed.control.plane.cli.ProxyConfigCommand;
import io.meshfed.control.plane.cli.ProxyStatusCommand;
import io.meshfed.federation.cli.CreateRemoteSecretCommand;
import io.meshfed.trust.cli.CaCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code meshfed} launcher: one jar, every role, one subcommand each.
 *
 * <p>Exit codes: 0 success, 1 the command failed, 2 a usage error, 69 the capability is not built yet;
 * {@code analyze} also exits 79 when it finds issues at or above its failure threshold (as istioctl does).
 */
@Command(
    name = "meshfed",
    mixinStandardHelpOptions = true,
    versionProvider = BuildInfo.class,
    description = "Multi-cluster service-mesh federation: control plane, gateways and tools in one launcher.",
    subcommands = {
        DemoCommand.class,
        ControlPlaneCommand.class,
        GatewayCommand.class,
        CaCommand.class,
        CreateRemoteSecretCommand.class,
        AnalyzeCommand.class,
        ProxyStatusCommand.class,
        ProxyConfigCommand.class,
        ExplainCommand.class,
        VersionCommand.class,
        CommandLine.HelpCommand.class,
    },
    footer = {"", "Exit codes: 0 ok, 1 failed, 2 usage error, " + NotBuiltYet.EXIT_CODE + " not built yet, "
        + AnalyzeCommand.EXIT_FOUND_ISSUES + " analyze found issues."})
public final class Meshfed implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured picocli command line; tests drive it in memory. */
  public static CommandLine commandLine() {
    return new CommandLine(new Meshfed()).setCaseInsensitiveEnumValuesAllowed(true);
  }

  @Override
  public void run() {
    // `meshfed` alone: show what it can do rather than failing silently.
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
