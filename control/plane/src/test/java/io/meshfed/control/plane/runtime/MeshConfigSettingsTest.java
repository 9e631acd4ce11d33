package io.meshfed.control.plane.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.control.plane.runtime.ControlPlaneSettings.MeshConfig;
import io.meshfed.control.plane.translate.ExtAuthzProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The settings' {@code meshConfig}: Istio's {@code extensionProviders[].envoyExtAuthzHttp} and
 * {@code defaultConfig.tracing.sampling}, with Istio's field names and defaults; bad input names the field.
 */
class MeshConfigSettingsTest {

  @TempDir
  Path dir;

  private Path file(String yaml) throws Exception {
    Path file = dir.resolve("control-plane.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private MeshConfig meshConfig(String yaml) throws Exception {
    return ControlPlaneSettings.load(file(yaml), Map.of()).meshConfig();
  }

  /** The message of the error reading {@code yaml}, from the key on (the file and position cut off). */
  private String error(String yaml) throws Exception {
    Path file = file(yaml);
    try {
      ControlPlaneSettings.load(file, Map.of());
    } catch (SettingsException e) {
      return e.getMessage().substring(e.source().length() + 2);
    }
    throw new AssertionError("no error for:\n" + yaml);
  }

  @Test
  void aFullHttpProviderReadsWithEveryField() throws Exception {
    MeshConfig mesh = meshConfig("""
        meshConfig:
          extensionProviders:
          - name: opa
            envoyExtAuthzHttp:
              service: opa.authz.svc.cluster.local
              port: 8181
              pathPrefix: /check
              includeRequestHeadersInCheck: [x-user, cookie]
              headersToUpstreamOnAllow: [x-auth-user]
              failOpen: true
              statusOnError: "503"
              timeout: 250ms
          - name: sample
            envoyExtAuthzHttp: {service: ext-authz.foo.svc.cluster.local, port: 8000, statusOnError: 500}
          defaultConfig:
            tracing: {sampling: 12.5}
        """);
    assertThat(mesh.extensionProviders()).containsExactly(
        new ExtAuthzProvider("opa", "opa.authz.svc.cluster.local", 8181, "/check", List.of("x-user", "cookie"),
            List.of("x-auth-user"), true, 503, Duration.ofMillis(250)),
        new ExtAuthzProvider("sample", "ext-authz.foo.svc.cluster.local", 8000, "", List.of(), List.of(), false,
            500, Duration.ofMinutes(10)));
    assertThat(mesh.tracingSampling()).isEqualTo(12.5);
  }

  @Test
  void withoutMeshConfigIstiosDefaultsApply() throws Exception {
    assertThat(ControlPlaneSettings.load(null, Map.of()).meshConfig()).isEqualTo(MeshConfig.DEFAULT);
    MeshConfig mesh = meshConfig("""
        meshConfig:
          extensionProviders:
          - name: opa
            envoyExtAuthzHttp: {service: opa.authz.svc.cluster.local, port: 8181}
        """);
    // Istio's EnvoyExternalAuthorizationHttpProvider defaults: no prefix, fail closed with 403, 10 min timeout.
    assertThat(mesh.extensionProviders()).containsExactly(new ExtAuthzProvider("opa",
        "opa.authz.svc.cluster.local", 8181, "", List.of(), List.of(), false, 403, Duration.ofMinutes(10)));
    assertThat(mesh.tracingSampling()).isEqualTo(1.0);
  }

  @Test
  void eachBadFieldIsNamedWithWhatIsExpected() throws Exception {
    String ok = "  - name: ok\n    envoyExtAuthzHttp: {service: ok.example.com, port: 80}\n";
    String head = "meshConfig:\n  extensionProviders:\n" + ok + "  - name: opa\n    envoyExtAuthzHttp:\n";
    String opa = "      service: opa.authz.svc.cluster.local\n";
    assertThat(error(head + opa + "      port: 0\n"))
        .isEqualTo("meshConfig.extensionProviders[1].envoyExtAuthzHttp.port: 0 (expected: an integer 1..65535)");
    assertThat(error(head + opa + "      port: \"8181\"\n"))
        .isEqualTo("meshConfig.extensionProviders[1].envoyExtAuthzHttp.port: \"8181\" (expected: an integer "
            + "1..65535)");
    assertThat(error(head + opa))
        .startsWith("meshConfig.extensionProviders[1].envoyExtAuthzHttp.port: missing (expected:");
    assertThat(error(head + "      port: 8181\n"))
        .startsWith("meshConfig.extensionProviders[1].envoyExtAuthzHttp.service: missing (expected:");
    assertThat(error(head + "      service: authz/opa.authz.svc.cluster.local\n      port: 8181\n"))
        .contains("envoyExtAuthzHttp.service: \"authz/opa.authz.svc.cluster.local\" (expected: the authorizer's "
            + "fully qualified host name");
    assertThat(error(head + "      service: Opa_Authz\n      port: 8181\n"))
        .contains("envoyExtAuthzHttp.service: \"Opa_Authz\" (expected: a host name");
    String base = head + opa + "      port: 8181\n";
    assertThat(error(base + "      pathPrefix: check\n"))
        .contains("envoyExtAuthzHttp.pathPrefix: \"check\" (expected: a path starting with '/'");
    assertThat(error(base + "      includeRequestHeadersInCheck: [x-user, \"x-*\"]\n"))
        .contains("envoyExtAuthzHttp.includeRequestHeadersInCheck[1]: \"x-*\" (expected: an exact header name; "
            + "prefix and suffix patterns are not supported)");
    assertThat(error(base + "      headersToUpstreamOnAllow: [\"bad header\"]\n"))
        .contains("envoyExtAuthzHttp.headersToUpstreamOnAllow[0]: \"bad header\" (expected: an HTTP header name)");
    assertThat(error(base + "      failOpen: yes\n"))
        .contains("envoyExtAuthzHttp.failOpen: \"yes\" (expected: true or false)");
    assertThat(error(base + "      statusOnError: \"forbidden\"\n"))
        .contains("envoyExtAuthzHttp.statusOnError: \"forbidden\" (expected: an HTTP status 100..599");
    assertThat(error(base + "      statusOnError: 700\n"))
        .contains("envoyExtAuthzHttp.statusOnError: 700 (expected: an HTTP status 100..599");
    assertThat(error(base + "      timeout: 5\n"))
        .contains("envoyExtAuthzHttp.timeout: 5 (expected: a duration");
    assertThat(error(base + "      includeRequestBodyInCheck: {maxRequestBytes: 100}\n"))
        .contains("envoyExtAuthzHttp.includeRequestBodyInCheck: not supported by meshfed's gateways (expected: "
            + "remove it");
    assertThat(error(base + "      includeHeadersInCheck: [x-user]\n"))
        .contains("envoyExtAuthzHttp.includeHeadersInCheck: deprecated in Istio (expected: "
            + "includeRequestHeadersInCheck)");
    assertThat(error(base + "      sevice: typo\n"))
        .startsWith("meshConfig.extensionProviders[1].envoyExtAuthzHttp.sevice: unknown key (expected one of:");
    assertThat(error("meshConfig:\n  extensionProviders:\n  - envoyExtAuthzHttp: {service: a.b, port: 1}\n"))
        .startsWith("meshConfig.extensionProviders[0].name: \"\" (expected: the name CUSTOM AuthorizationPolicies");
    assertThat(error("meshConfig:\n  extensionProviders:\n  - name: opa\n"))
        .startsWith("meshConfig.extensionProviders[0].envoyExtAuthzHttp: missing (expected: envoyExtAuthzHttp:");
    assertThat(error("meshConfig:\n  extensionProviders: {name: opa}\n"))
        .isEqualTo("meshConfig.extensionProviders: {...} (expected: a list of mappings)");
  }

  @Test
  void aProviderNameGivenTwiceIsRefused() throws Exception {
    assertThat(error("""
        meshConfig:
          extensionProviders:
          - name: opa
            envoyExtAuthzHttp: {service: opa.authz.svc.cluster.local, port: 8181}
          - name: opa
            envoyExtAuthzHttp: {service: other.authz.svc.cluster.local, port: 8181}
        """)).isEqualTo("meshConfig.extensionProviders[1].name: \"opa\" (expected: each provider name once; "
        + "extensionProviders[0] has this name)");
  }

  @Test
  void otherProviderKindsAreRefusedAsNotSupported() throws Exception {
    assertThat(error("""
        meshConfig:
          extensionProviders:
          - name: opa-grpc
            envoyExtAuthzGrpc: {service: opa.authz.svc.cluster.local, port: 9191}
        """)).isEqualTo("meshConfig.extensionProviders[0].envoyExtAuthzGrpc: not supported: meshfed's gateways call "
        + "HTTP authorizers only (expected: envoyExtAuthzHttp with the authorizer's HTTP port)");
    assertThat(error("""
        meshConfig:
          extensionProviders:
          - name: tracing
            zipkin: {service: zipkin.istio-system.svc.cluster.local, port: 9411}
        """)).isEqualTo("meshConfig.extensionProviders[0].zipkin: not supported: meshfed reads only external "
        + "authorizers from extensionProviders (expected: envoyExtAuthzHttp, or remove this provider)");
  }

  @Test
  void samplingIsAPercentage() throws Exception {
    assertThat(meshConfig("meshConfig: {defaultConfig: {tracing: {sampling: 0}}}").tracingSampling()).isZero();
    assertThat(meshConfig("meshConfig: {defaultConfig: {tracing: {sampling: 100}}}").tracingSampling())
        .isEqualTo(100.0);
    assertThat(meshConfig("meshConfig: {defaultConfig: {tracing: {sampling: 0.01}}}").tracingSampling())
        .isEqualTo(0.01);
    assertThat(error("meshConfig: {defaultConfig: {tracing: {sampling: 100.5}}}"))
        .isEqualTo("meshConfig.defaultConfig.tracing.sampling: 100.5 (expected: a percentage 0..100 of new traces "
            + "the gateways sample)");
    assertThat(error("meshConfig: {defaultConfig: {tracing: {sampling: -1}}}"))
        .startsWith("meshConfig.defaultConfig.tracing.sampling: -1 (expected: a percentage 0..100");
    assertThat(error("meshConfig: {defaultConfig: {tracing: {sampling: \"10\"}}}"))
        .startsWith("meshConfig.defaultConfig.tracing.sampling: \"10\" (expected: a percentage 0..100");
    assertThat(error("meshConfig: {defaultConfig: {tracing: {zipkin: {address: z:9411}}}}"))
        .startsWith("meshConfig.defaultConfig.tracing.zipkin: unknown key (expected one of: sampling;");
    // A command-line override arrives as text and is checked like the file.
    assertThat(ControlPlaneSettings.load(null, Map.of("meshConfig.defaultConfig.tracing.sampling", "2.5"))
        .meshConfig().tracingSampling()).isEqualTo(2.5);
    assertThatThrownBy(() -> ControlPlaneSettings.load(null, Map.of("meshConfig.defaultConfig.tracing.sampling",
        "200"))).hasMessage("command line: meshConfig.defaultConfig.tracing.sampling: 200 (expected: a percentage "
        + "0..100 of new traces the gateways sample)");
  }
}
