package io.meshfed.it.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code java -jar meshfed.jar ARGS} process, inside a network namespace ({@code ip netns exec} execs java, so
 * the process is the JVM itself and SIGTERM reaches it) or in the host's, with its output in
 * {@code <logDir>/<name>.log}.
 * Small heap and C1 only: eight of them share two cores.
 */
final class NamespacedProcess implements AutoCloseable {

  static final Path JAR = Path.of(System.getProperty("meshfed.jar", "../deploy/target/meshfed.jar"));

  private final String name;
  private final Process process;
  private final Path log;

  private NamespacedProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** Starts the launcher with {@code args}; {@code namespace} null runs it in the host's namespace. */
  static NamespacedProcess start(NetworkNamespaces net, String namespace, Path logDir, String name, String... args)
      throws IOException {
    if (!Files.isRegularFile(JAR)) {
      throw new AssertionError(JAR + ": no launcher jar (expected: built by deploy/ in the same `./mvnw verify`)");
    }
    Files.createDirectories(logDir);
    List<String> java = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC", "-jar", JAR.toAbsolutePath().toString()));
    java.addAll(List.of(args));
    List<String> command = namespace == null ? java : net.exec(namespace, java);
    Path log = logDir.resolve(name + ".log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.PIPE).start();
    process.getOutputStream().close();
    return new NamespacedProcess(name, process, log);
  }

  /** Runs to completion (at most {@code timeout}); returns the exit code. */
  int waitFor(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(name + " did not finish within " + timeout.toSeconds() + " s\n" + describe());
    }
    return process.exitValue();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** The last lines of its output, for failure messages. */
  String describe() {
    try {
      List<String> lines = Files.readString(log, StandardCharsets.UTF_8).lines().toList();
      return "--- " + name + (process.isAlive() ? " (running)" : " (exited " + process.exitValue() + ")") + "\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "--- " + name + ": " + e;
    }
  }

  /** SIGTERM without waiting. */
  void terminate() {
    process.destroy();
  }

  /** SIGTERM, then SIGKILL after {@code timeout}. */
  void stop(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      stop(Duration.ofSeconds(10));
    }
  }
}
