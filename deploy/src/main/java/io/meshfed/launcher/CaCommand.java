package io.meshfed.launcher;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code meshfed ca}: Manage the local CA: init, issue, inspect. Not built yet. */
@Command(name = "ca", mixinStandardHelpOptions = true,
    description = {"Manage the local CA: init, issue, inspect.", "Not built yet: exits " + NotBuiltYet.EXIT_CODE + "."})
final class CaCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    return NotBuiltYet.report(spec, "the local CA tooling");
  }
}
