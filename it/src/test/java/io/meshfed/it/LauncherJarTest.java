package io.meshfed.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The launcher jar deploy/ builds, run as a user runs it: a separate JVM process. */
class LauncherJarTest {

  private static final Path JAR = Path.of(System.getProperty("meshfed.jar", "../deploy/target/meshfed.jar"));

  record Result(int exitCode, String out, String err) {
  }

  static Result meshfed(String... args) throws IOException, InterruptedException {
    assertThat(JAR).as("launcher jar (built by deploy/)").isRegularFile();
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile("meshfed-out", ".txt");
    Path err = Files.createTempFile("meshfed-err", ".txt");
    Process process = new ProcessBuilder(command)
        .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE)
        .start();
    process.getOutputStream().close();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("meshfed %s finished", List.of(args)).isTrue();
    try {
      return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  @Test
  void helpListsEverySubcommand() throws Exception {
    Result result = meshfed("--help");
    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("demo", "control-plane", "gateway", "ca", "create-remote-secret", "analyze",
        "proxy-status", "proxy-config", "explain", "version");
  }

  @Test
  void versionRunsFromTheShadedJar() throws Exception {
    Result result = meshfed("version");
    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).startsWith("meshfed 0.").contains("Vert.x 5.0.7");
  }
}
