package io.meshfed.launcher;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code meshfed explain}: Explain a response flag or a request id: what happened, the likely cause, the fix. Not built yet. */
@Command(name = "explain", mixinStandardHelpOptions = true,
    description = {"Explain a response flag or a request id: what happened, the likely cause, the fix.", "Not built yet: exits " + NotBuiltYet.EXIT_CODE + "."})
final class ExplainCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    return NotBuiltYet.report(spec, "explain");
  }
}
