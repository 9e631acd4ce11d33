package io.meshfed.it.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code java -jar deploy/target/meshfed.jar ARGS} process with its output in {@code <logDir>/<name>.log}:
 * small heap and C1 only, since a test runs several side by side on two cores. A wrapper command (the chaos tier's
 * {@code ip netns exec <ns>}) may run it elsewhere; it must exec java, so that SIGTERM reaches the JVM.
 */
public final class LauncherProcess implements AutoCloseable {

  private final String name;
  private final Process process;
  private final Path log;

  private LauncherProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** Starts the launcher with {@code args}. */
  public static LauncherProcess start(Path logDir, String name, String... args) throws IOException {
    return start(List.of(), logDir, name, args);
  }

  /** Starts the launcher with {@code args} under {@code wrapper} (empty: directly). */
  public static LauncherProcess start(List<String> wrapper, Path logDir, String name, String... args)
      throws IOException {
    if (!Files.isRegularFile(DemoProcess.JAR)) {
      throw new AssertionError(DemoProcess.JAR + ": no launcher jar (expected: built by deploy/ in the same "
          + "`./mvnw verify`)");
    }
    Files.createDirectories(logDir);
    List<String> command = new ArrayList<>(wrapper);
    command.addAll(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC", "-jar", DemoProcess.JAR.toAbsolutePath().toString()));
    command.addAll(List.of(args));
    Path log = logDir.resolve(name + ".log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.PIPE).start();
    process.getOutputStream().close();
    return new LauncherProcess(name, process, log);
  }

  /** Runs to completion (at most {@code timeout}); returns the exit code. */
  public int waitFor(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(name + " did not finish within " + timeout.toSeconds() + " s\n" + describe());
    }
    return process.exitValue();
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** The last lines of its output, for failure messages. */
  public String describe() {
    try {
      List<String> lines = Files.readString(log, StandardCharsets.UTF_8).lines().toList();
      return "--- " + name + (process.isAlive() ? " (running)" : " (exited " + process.exitValue() + ")") + "\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()));
    } catch (IOException e) {
      return "--- " + name + ": " + e;
    }
  }

  /** SIGTERM without waiting. */
  public void terminate() {
    process.destroy();
  }

  /** SIGTERM; returns the exit code, or -1 when it had to be killed after {@code timeout}. */
  public int stop(Duration timeout) throws InterruptedException {
    process.destroy();
    if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      return process.exitValue();
    }
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    return -1;
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      stop(Duration.ofSeconds(20));
    }
  }
}
