package io.meshfed.launcher;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code meshfed control-plane}: Run this cluster's control plane (xDS, CA, admin API, federation member). Not built yet. */
@Command(name = "control-plane", mixinStandardHelpOptions = true,
    description = {"Run this cluster's control plane (xDS, CA, admin API, federation member).", "Not built yet: exits " + NotBuiltYet.EXIT_CODE + "."})
final class ControlPlaneCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    return NotBuiltYet.report(spec, "the control plane");
  }
}
