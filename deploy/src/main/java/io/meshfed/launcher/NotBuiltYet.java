package io.meshfed.launcher;

import picocli.CommandLine;

/**
 * The one way a subcommand says its capability is not built yet: a single line on stderr and a distinct exit
 * code, so scripts can tell "not available in this build" from "failed".
 */
final class NotBuiltYet {

  /** EX_UNAVAILABLE from sysexits.h. */
  static final int EXIT_CODE = 69;

  private NotBuiltYet() {
  }

  static int report(CommandLine.Model.CommandSpec spec, String capability) {
    spec.commandLine().getErr().printf(
        "%s: not built yet: %s is not part of meshfed %s (see \"What works today\" in README.md)%n",
        spec.qualifiedName(), capability, BuildInfo.version());
    return EXIT_CODE;
  }
}
