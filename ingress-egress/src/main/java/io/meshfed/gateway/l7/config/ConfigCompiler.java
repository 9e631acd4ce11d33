package io.meshfed.gateway.l7.config;

import com.google.protobuf.Message;
import io.meshfed.gateway.l7.Role;
import io.meshfed.gateway.l7.tls.SecretSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The pure function from xDS resources to an engine snapshot. Each resource is compiled on its own; a resource that
 * fails keeps its last accepted version (from {@code previous}) and is reported, so one bad resource never takes the
 * rest of an update, or what already serves, down (Envoy does the same for LDS and CDS).
 */
public final class ConfigCompiler {

  private ConfigCompiler() {
  }

  /**
   * The result of compiling.
   *
   * @param snapshot the new snapshot (last good versions kept for refused resources)
   * @param errors every refusal
   */
  public record Compilation(EngineSnapshot snapshot, List<ConfigError> errors) {
  }

  /** Compiles {@code incoming} for a gateway of {@code role}, falling back to {@code previous} per resource. */
  public static Compilation compile(Role role, XdsResources incoming, EngineSnapshot previous) {
    List<ConfigError> errors = new ArrayList<>();
    Map<String, SecretSpec> secrets = new LinkedHashMap<>();

    var listeners = compileAll(role, ConfigError.Kind.LISTENER, incoming.listeners(), previous.accepted().listeners(),
        previous.listeners(), errors, secrets, previous.secrets(),
        (resource, problems, inline) -> ListenerCompiler.compile(resource, problems, inline));
    var routes = compileAll(role, ConfigError.Kind.ROUTE_CONFIGURATION, incoming.routes(),
        previous.accepted().routes(), previous.routeTables(), errors, secrets, previous.secrets(),
        (resource, problems, inline) -> RouteCompiler.compile(resource, problems));
    var clusters = compileAll(role, ConfigError.Kind.CLUSTER, incoming.clusters(), previous.accepted().clusters(),
        previous.clusters(), errors, secrets, previous.secrets(),
        (resource, problems, inline) -> ClusterCompiler.compile(resource, problems, inline));
    var endpoints = compileAll(role, ConfigError.Kind.CLUSTER_LOAD_ASSIGNMENT, incoming.endpoints(),
        previous.accepted().endpoints(), previous.endpoints(), errors, secrets, previous.secrets(),
        (resource, problems, inline) -> EndpointCompiler.compile(resource, "", problems, false));
    var sds = compileAll(role, ConfigError.Kind.SECRET, incoming.secrets(), previous.accepted().secrets(),
        previous.secrets(), errors, secrets, previous.secrets(),
        (resource, problems, inline) -> TlsCompiler.secret(resource, problems));
    secrets.putAll(sds.compiled);

    XdsResources accepted = new XdsResources(listeners.accepted, routes.accepted, clusters.accepted,
        endpoints.accepted, sds.accepted);
    EngineSnapshot snapshot = new EngineSnapshot(previous.version() + 1, role,
        java.util.Collections.unmodifiableMap(listeners.compiled),
        java.util.Collections.unmodifiableMap(routes.compiled),
        java.util.Collections.unmodifiableMap(clusters.compiled),
        java.util.Collections.unmodifiableMap(endpoints.compiled),
        java.util.Collections.unmodifiableMap(secrets), accepted);
    return new Compilation(snapshot, List.copyOf(errors));
  }

  @FunctionalInterface
  private interface Step<P extends Message, S> {
    S compile(P resource, Problems problems, List<SecretSpec> inlineSecrets);
  }

  private record Compiled<P, S>(Map<String, P> accepted, Map<String, S> compiled) {
  }

  private static <P extends Message, S> Compiled<P, S> compileAll(
      Role role, ConfigError.Kind kind, Map<String, P> incoming, Map<String, P> previousAccepted,
      Map<String, S> previousCompiled, List<ConfigError> errors, Map<String, SecretSpec> secrets,
      Map<String, SecretSpec> previousSecrets, Step<P, S> step) {
    Map<String, P> accepted = new LinkedHashMap<>();
    Map<String, S> compiled = new LinkedHashMap<>();
    for (Map.Entry<String, P> entry : incoming.entrySet()) {
      String name = entry.getKey();
      P resource = entry.getValue();
      Problems problems = new Problems(kind, name, role);
      String declared = declaredName(resource);
      if (declared != null && !declared.equals(name)) {
        problems.error("name", "'" + declared + "' differs from the resource name '" + name
            + "' (expected: the same name)");
      }
      List<SecretSpec> inline = new ArrayList<>();
      S spec = null;
      try {
        spec = step.compile(resource, problems, inline);
      } catch (RuntimeException e) {
        // A compiler bug must not take the engine down; it is reported as the resource's refusal.
        problems.error("", "internal error compiling: " + e);
      }
      if (problems.ok() && spec != null) {
        accepted.put(name, resource);
        compiled.put(name, spec);
        for (SecretSpec secret : inline) {
          secrets.put(secret.name(), secret);
        }
      } else {
        errors.addAll(problems.errors());
        if (previousAccepted.containsKey(name) && previousCompiled.containsKey(name)) {
          accepted.put(name, previousAccepted.get(name));
          compiled.put(name, previousCompiled.get(name));
          String prefix = TlsCompiler.INLINE_PREFIX + name + "/";
          previousSecrets.forEach((secretName, secret) -> {
            if (secretName.startsWith(prefix)) {
              secrets.put(secretName, secret);
            }
          });
        }
      }
    }
    return new Compiled<>(accepted, compiled);
  }

  private static String declaredName(Message resource) {
    Function<Message, String> name = message -> {
      var field = message.getDescriptorForType().findFieldByName("name");
      if (field == null) {
        field = message.getDescriptorForType().findFieldByName("cluster_name");
      }
      return field == null ? null : (String) message.getField(field);
    };
    return name.apply(resource);
  }
}
