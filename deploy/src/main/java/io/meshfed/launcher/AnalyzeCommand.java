package io.meshfed.launcher;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code meshfed analyze}: Check Istio and meshfed config for mistakes before it is applied. Not built yet. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
    description = {"Check Istio and meshfed config for mistakes before it is applied.", "Not built yet: exits " + NotBuiltYet.EXIT_CODE + "."})
final class AnalyzeCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    return NotBuiltYet.report(spec, "the config analyzer");
  }
}
