package io.meshfed.launcher;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code meshfed proxy-status}: Show whether each gateway runs the config its control plane last sent. Not built yet. */
@Command(name = "proxy-status", mixinStandardHelpOptions = true,
    description = {"Show whether each gateway runs the config its control plane last sent.", "Not built yet: exits " + NotBuiltYet.EXIT_CODE + "."})
final class ProxyStatusCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    return NotBuiltYet.report(spec, "proxy-status");
  }
}
