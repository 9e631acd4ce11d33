package io.meshfed.control.plane.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.control.plane.config.YamlFiles;
import io.meshfed.control.plane.istio.Message;
import io.meshfed.control.plane.istio.MessageType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The message catalogue: codes are unique and stable in form, and every code of the single-object layer has an
 * input that raises it (the analyzers' codes are covered one by one in {@link AnalyzersTest}; the Istio samples,
 * which raise none of these, are the passing inputs of IstioSamplesParseTest).
 */
class MessageCatalogueTest {

  private static final Map<MessageType, String> FAILING = Map.ofEntries(
      Map.entry(MessageType.MALFORMED_OBJECT, "apiVersion: v1\nmetadata: {name: x}\n"),
      Map.entry(MessageType.UNKNOWN_KIND, "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: x}\n"),
      Map.entry(MessageType.IGNORED_KIND, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"),
      Map.entry(MessageType.INVALID_VALUE, """
          apiVersion: networking.istio.io/v1
          kind: ServiceEntry
          metadata: {name: x}
          spec: {hosts: ["*"]}
          """),
      Map.entry(MessageType.UNKNOWN_FIELD, """
          apiVersion: networking.istio.io/v1
          kind: Gateway
          metadata: {name: x}
          spec: {servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}], selectr: {a: b}}
          """),
      Map.entry(MessageType.UNSUPPORTED_FIELD, """
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: {name: x}
          spec: {hosts: [x], http: [{directResponse: {status: 503}}]}
          """),
      Map.entry(MessageType.IGNORED_FIELD, """
          apiVersion: networking.istio.io/v1
          kind: DestinationRule
          metadata: {name: x}
          spec: {host: x, trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN, warmupDurationSecs: 10s}}}
          """),
      Map.entry(MessageType.DEPRECATED_FIELD, """
          apiVersion: networking.istio.io/v1
          kind: DestinationRule
          metadata: {name: x}
          spec: {host: x, trafficPolicy: {loadBalancer: {simple: LEAST_CONN}}}
          """),
      Map.entry(MessageType.DUPLICATE_OBJECT, """
          apiVersion: v1
          kind: Namespace
          metadata: {name: x}
          ---
          apiVersion: v1
          kind: Namespace
          metadata: {name: x}
          """),
      Map.entry(MessageType.SUSPICIOUS_VALUE, """
          apiVersion: security.istio.io/v1
          kind: AuthorizationPolicy
          metadata: {name: x}
          spec: {selector: {}, action: ALLOW}
          """));

  @Test
  void codesAreUniqueAndWellFormed() {
    Set<String> codes = new HashSet<>();
    for (MessageType type : MessageType.values()) {
      assertThat(type.code()).matches("MF0[01]\\d\\d");
      assertThat(codes.add(type.code())).as(type.code()).isTrue();
      assertThat(MessageType.forCode(type.code())).isEqualTo(type);
      assertThat(type.summary()).isNotBlank();
    }
  }

  @Test
  void everySingleObjectCodeHasAFailingInput() {
    for (Map.Entry<MessageType, String> entry : FAILING.entrySet()) {
      List<Message> messages = Inputs.samples().yaml(entry.getValue()).analyze().messages();
      assertThat(messages).as(entry.getKey().code()).anyMatch(m -> m.type() == entry.getKey());
      assertThat(messages).allSatisfy(m -> assertThat(m.fix()).isNotBlank());
    }
  }

  @Test
  void invalidYamlAndUnreadableFilesAreReported(@TempDir Path dir) throws Exception {
    Path broken = dir.resolve("broken.yaml");
    Files.writeString(broken, "kind: VirtualService\nspec: {hosts: [a\n");
    assertThat(YamlFiles.read(broken, "broken.yaml").error()).hasValueSatisfying(m -> {
      assertThat(m.type()).isEqualTo(MessageType.INVALID_YAML);
      assertThat(m.origin().position()).isPresent();
    });
    Path binary = dir.resolve("binary.yaml");
    Files.write(binary, new byte[] {(byte) 0xC3, (byte) 0x28, 0x0A});
    assertThat(YamlFiles.read(binary, "binary.yaml").error())
        .hasValueSatisfying(m -> assertThat(m.type()).isEqualTo(MessageType.SOURCE_PROBLEM));
  }

  @Test
  void everyCodeIsCoveredBySomeTest() {
    Set<MessageType> single = EnumSet.copyOf(FAILING.keySet());
    single.addAll(List.of(MessageType.INVALID_YAML, MessageType.SOURCE_PROBLEM));
    Set<MessageType> analyzers = EnumSet.noneOf(MessageType.class);
    Arrays.stream(MessageType.values()).filter(t -> t.code().startsWith("MF01")).forEach(analyzers::add);
    // AnalyzersTest has one test per MF01xx code; keep this list in step with it.
    assertThat(analyzers).hasSize(15);
    Set<MessageType> all = EnumSet.copyOf(single);
    all.addAll(analyzers);
    assertThat(all).containsExactlyInAnyOrder(MessageType.values());
  }
}
