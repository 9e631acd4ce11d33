package io.meshfed.it.e2e;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code meshfed demo} run as a user runs it: {@code java -jar deploy/target/meshfed.jar demo ...} in its own JVM,
 * stdout and stderr captured to files in the demo's directory, so a failing test shows what the demo said.
 */
final class DemoProcess implements AutoCloseable {

  static final Path JAR = Path.of(System.getProperty("meshfed.jar", "../deploy/target/meshfed.jar"));
  static final String READY = "meshfed demo ready: ";

  private final Process process;
  private final Path out;
  private final Path err;
  private final Path dir;

  private DemoProcess(Process process, Path out, Path err, Path dir) {
    this.process = process;
    this.out = out;
    this.err = err;
    this.dir = dir;
  }

  /** Starts the demo in {@code dir} with the extra {@code args}. */
  static DemoProcess start(Path dir, String... args) throws IOException {
    if (!Files.isRegularFile(JAR)) {
      throw new AssertionError(JAR + ": no launcher jar (expected: built by deploy/ in the same `./mvnw verify`)");
    }
    Files.createDirectories(dir);
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-jar", JAR.toString(),
        "demo", "--dir", dir.toString()));
    command.addAll(List.of(args));
    Path out = dir.resolve("demo.out");
    Path err = dir.resolve("demo.err");
    Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.PIPE).start();
    process.getOutputStream().close();
    return new DemoProcess(process, out, err, dir);
  }

  /** Waits for the ready line; fails with the demo's output if it exits or does not get there in time. */
  String awaitReady(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String stdout = stdout();
      for (String line : stdout.lines().toList()) {
        if (line.startsWith(READY)) {
          return line.substring(READY.length()).strip();
        }
      }
      if (!process.isAlive()) {
        throw new AssertionError("meshfed demo exited " + process.exitValue() + " before it was ready\n"
            + describe());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("meshfed demo not ready within " + timeout.toSeconds() + " s\n" + describe());
      }
      Thread.sleep(100);
    }
  }

  JsonObject manifest() throws IOException {
    return new JsonObject(Files.readString(dir.resolve("demo.json"), StandardCharsets.UTF_8));
  }

  /** One cluster's entry of {@code demo.json}. */
  JsonObject cluster(String name) throws IOException {
    JsonObject manifest = manifest();
    return manifest.getJsonArray("clusters").stream().map(JsonObject.class::cast)
        .filter(c -> c.getString("name").equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("demo.json lists no cluster " + name + ": " + manifest.encode()));
  }

  String stdout() throws IOException {
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  /** The demo's stdout and the tail of its stderr, for failure messages. */
  String describe() throws IOException {
    List<String> errLines = Files.readString(err, StandardCharsets.UTF_8).lines().toList();
    return "--- stdout\n" + stdout() + "--- stderr (last 60 lines)\n"
        + String.join("\n", errLines.subList(Math.max(0, errLines.size() - 60), errLines.size()));
  }

  /** SIGTERM, as Ctrl-C; returns the exit code, or -1 if it did not stop within {@code timeout} (then killed). */
  int stop(Duration timeout) throws InterruptedException {
    process.destroy();
    if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      return process.exitValue();
    }
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    return -1;
  }

  boolean alive() {
    return process.isAlive();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      stop(Duration.ofSeconds(30));
    }
  }
}
