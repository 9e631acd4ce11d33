package io.meshfed.launcher;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code meshfed demo}: Start a two-cluster federation (east, west) on this machine with embedded defaults. Not built yet. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Start a two-cluster federation (east, west) on this machine with embedded defaults.", "Not built yet: exits " + NotBuiltYet.EXIT_CODE + "."})
final class DemoCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    return NotBuiltYet.report(spec, "the two-cluster demo");
  }
}
