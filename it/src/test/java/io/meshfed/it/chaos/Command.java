package io.meshfed.it.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs one short system command ({@code ip}, {@code tc}, {@code id}) to completion within a bound. */
final class Command {

  private static final Duration BOUND = Duration.ofSeconds(20);

  private Command() {
  }

  /** What a command printed (stdout and stderr together) and its exit code; -1 when it could not run. */
  record Result(int exitCode, String output) {
    boolean ok() {
      return exitCode == 0;
    }
  }

  /** Runs {@code command}; never throws for a failing command (the result says so). */
  static Result run(List<String> command) {
    Path out = null;
    try {
      out = Files.createTempFile("meshfed-chaos-cmd", ".out");
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
          .redirectInput(ProcessBuilder.Redirect.PIPE).start();
      process.getOutputStream().close();
      if (!process.waitFor(BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        return new Result(-1, String.join(" ", command) + ": did not finish within " + BOUND.toSeconds() + " s");
      }
      return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      return new Result(-1, String.join(" ", command) + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, String.join(" ", command) + ": interrupted");
    } finally {
      if (out != null) {
        out.toFile().delete();
      }
    }
  }

  static Result run(String... command) {
    return run(List.of(command));
  }

  /** The absolute path of {@code tool} in the usual system directories or on PATH, if installed. */
  static Optional<String> find(String tool) {
    String path = System.getenv().getOrDefault("PATH", "");
    List<String> dirs = new java.util.ArrayList<>(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
    dirs.addAll(List.of(path.split(":")));
    return dirs.stream().filter(dir -> !dir.isEmpty()).map(dir -> Path.of(dir, tool))
        .filter(Files::isExecutable).map(Path::toString).findFirst();
  }
}
