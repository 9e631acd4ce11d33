package io.meshfed.launcher;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code meshfed create-remote-secret}: Print the Secret that registers this cluster with the other clusters' control planes. Not built yet. */
@Command(name = "create-remote-secret", mixinStandardHelpOptions = true,
    description = {"Print the Secret that registers this cluster with the other clusters' control planes.", "Not built yet: exits " + NotBuiltYet.EXIT_CODE + "."})
final class CreateRemoteSecretCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    return NotBuiltYet.report(spec, "remote-secret generation");
  }
}
