package io.meshfed.launcher;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code meshfed version}: the build's version and the versions of the runtime it carries. */
@Command(name = "version", mixinStandardHelpOptions = true,
    description = "Print meshfed's version and the Vert.x, Netty and Java versions it runs on.")
final class VersionCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    for (String line : new BuildInfo().getVersion()) {
      spec.commandLine().getOut().println(line);
    }
    return 0;
  }
}
