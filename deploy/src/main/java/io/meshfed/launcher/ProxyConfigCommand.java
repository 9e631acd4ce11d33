package io.meshfed.launcher;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code meshfed proxy-config}: Show the listeners, routes, clusters, endpoints or secrets a gateway runs. Not built yet. */
@Command(name = "proxy-config", mixinStandardHelpOptions = true,
    description = {"Show the listeners, routes, clusters, endpoints or secrets a gateway runs.", "Not built yet: exits " + NotBuiltYet.EXIT_CODE + "."})
final class ProxyConfigCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    return NotBuiltYet.report(spec, "proxy-config");
  }
}
