package io.meshfed.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/docker/Dockerfile carries the essentials of the one meshfed image. No Docker engine exists where these
 * tests run, so the image is not built here: this reads the instructions (continuation lines joined, ARG
 * defaults substituted) and checks what Kubernetes and the Helm chart rely on.
 */
class DockerfileTest {

  private static final Path DOCKERFILE = Path.of("docker", "Dockerfile");
  private static final Path DOCKERIGNORE = Path.of(".dockerignore");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)\\}?");

  private static List<String[]> instructions;
  private static Map<String, String> args;

  @BeforeAll
  static void parse() throws IOException {
    instructions = new ArrayList<>();
    args = new HashMap<>();
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(DOCKERFILE)) {
      String trimmed = line.strip();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.length() == 0)) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        current.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      current.append(trimmed);
      String[] instruction = current.toString().strip().split("\\s+", 2);
      current.setLength(0);
      if (instruction[0].isEmpty()) {
        continue;
      }
      instruction[0] = instruction[0].toUpperCase();
      if (instruction[0].equals("ARG") && instruction[1].contains("=")) {
        String[] arg = instruction[1].split("=", 2);
        args.put(arg[0], arg[1]);
      }
      instructions.add(instruction);
    }
  }

  private static List<String> all(String keyword) {
    return instructions.stream().filter(i -> i[0].equals(keyword)).map(i -> substitute(i[1])).toList();
  }

  private static String last(String keyword) {
    List<String> found = all(keyword);
    assertThat(found).as("%s instruction", keyword).isNotEmpty();
    return found.get(found.size() - 1);
  }

  private static String substitute(String value) {
    Matcher variable = VARIABLE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (variable.find()) {
      variable.appendReplacement(out, Matcher.quoteReplacement(args.getOrDefault(variable.group(1), variable.group())));
    }
    return variable.appendTail(out).toString();
  }

  @Test
  void runsAsTheNumericNonRootUserTheChartExpects() {
    String user = last("USER");
    assertThat(user).matches("\\d+:\\d+");
    String[] ids = user.split(":");
    assertThat(Integer.parseInt(ids[0])).isPositive();
    // values.yaml securityContext.runAsUser / runAsGroup must be this image's user.
    assertThat(ids).containsExactly("10001", "10001");
    assertThat(ChartRender.chart().render().get(io.fabric8.kubernetes.api.model.apps.Deployment.class,
        "meshfed-control-plane").getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser())
        .isEqualTo(Long.parseLong(ids[0]));
  }

  @Test
  void entrypointRunsTheLauncherJarBuiltByMaven() {
    assertThat(last("ENTRYPOINT")).isEqualTo("[\"java\", \"-jar\", \"/opt/meshfed/meshfed.jar\"]");
    assertThat(all("COPY")).anyMatch(copy -> copy.endsWith("target/meshfed.jar /opt/meshfed/meshfed.jar"));
    assertThat(last("FROM")).startsWith("eclipse-temurin:17-jre");
  }

  @Test
  void jvmIsSizedForContainersAndExitsOnOutOfMemory() {
    String env = last("ENV");
    assertThat(env).startsWith("JAVA_TOOL_OPTIONS=")
        .contains("-XX:MaxRAMPercentage=75.0", "-XX:+ExitOnOutOfMemoryError", "-Djava.io.tmpdir=/tmp");
  }

  @Test
  void writesOnlyWhereTheChartMountsVolumes() {
    // The chart mounts /tmp (emptyDir) and /var/lib/meshfed (dataDir) and sets readOnlyRootFilesystem.
    assertThat(last("WORKDIR")).isEqualTo("/var/lib/meshfed");
    assertThat(last("ENV")).contains("-Duser.home=/var/lib/meshfed");
  }

  @Test
  void buildContextIsOnlyTheJarAndTheControlPlaneOptions() throws IOException {
    List<String> rules = Files.readAllLines(DOCKERIGNORE).stream()
        .filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
    assertThat(rules).containsExactly("*", "!target/meshfed.jar", "!jvm/control-plane.jvm");
  }

  @Test
  void controlPlaneOptionsFileIsWhereTheChartNamesIt() {
    // The chart's control-plane pods run with JDK_JAVA_OPTIONS=@/opt/meshfed/control-plane.jvm.
    assertThat(all("COPY")).anyMatch(copy -> copy.endsWith("jvm/control-plane.jvm /opt/meshfed/control-plane.jvm"));
    assertThat(Files.isRegularFile(Path.of("jvm", "control-plane.jvm"))).isTrue();
  }

  @Test
  void controlPlaneOptionsAreOnesThisJvmAccepts() throws Exception {
    // A typo would otherwise surface only when a control-plane pod fails to start.
    Process java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "@" + Path.of("jvm", "control-plane.jvm"), "-XX:+PrintFlagsFinal", "-version")
        .redirectErrorStream(true).start();
    String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(java.waitFor()).as(output).isZero();
    assertThat(output).containsPattern("MaxTenuringThreshold\\s+= 0\\s+\\{product\\} \\{command line\\}");
  }
}
