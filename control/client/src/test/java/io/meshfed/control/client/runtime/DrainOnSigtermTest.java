package io.meshfed.control.client.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** SIGTERM drains a real gateway process before it exits. */
class DrainOnSigtermTest {

  @Test
  void sigtermDrainsBeforeTheProcessExits() throws Exception {
    Assumptions.assumeTrue(!System.getProperty("os.name").startsWith("Windows"),
        "ProcessHandle.destroy() sends SIGTERM only on Unix");
    Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), DrainOnSigtermMain.class.getName())
        .redirectErrorStream(true).start();
    List<String> lines = new ArrayList<>();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          synchronized (lines) {
            lines.add(line);
          }
          if (line.startsWith("READY ")) {
            ready.complete(null);
          }
        }
      } catch (Exception e) {
        ready.completeExceptionally(e);
      }
    });
    reader.start();
    try {
      ready.get(60, TimeUnit.SECONDS);
      // SIGTERM through the handle: Process.destroy() would also close our end of the child's stdout.
      assertThat(process.toHandle().destroy()).isTrue();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("process exited after SIGTERM").isTrue();
      reader.join(5000);
    } finally {
      process.destroyForcibly();
    }
    String output;
    synchronized (lines) {
      output = String.join("\n", lines);
    }
    assertThat(process.exitValue()).as(output).isEqualTo(143);
    assertThat(output)
        .contains("STOP_ACCEPTING ready=false")
        .contains("REQUEST_FINISHED")
        .contains("drain (SIGTERM) finished")
        .doesNotContain("FORCED")
        .doesNotContain("NO_SIGNAL");
    assertThat(output.indexOf("REQUEST_FINISHED")).isLessThan(output.indexOf("drain (SIGTERM) finished"));
  }
}
