package io.meshfed.control.client.gateway;

import io.meshfed.control.client.xds.AdsClient;
import io.meshfed.control.client.xds.GatewayRole;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads a gateway's settings file (docs/configuration.md, "Gateways") strictly: every key is known or an error naming
 * it and the keys expected there, every value is typed and checked. Command-line overrides (by key:
 * {@code xds.address}, {@code labels} as {@code k=v,k2=v2}, {@code listeners} as {@code name=host:port,...}) replace
 * the file's values before the checks, so they are validated the same way. Blocking (reads the file): call it from a
 * worker or a main thread.
 */
public final class GatewaySettingsReader {

  /** The source name of values given as options. */
  public static final String COMMAND_LINE = "command line";

  private static final Set<String> TOP = Set.of("name", "podName", "namespace", "clusterId", "network", "meshId",
      "serviceAccount", "trustDomain", "labels", "locality", "podIp", "xds", "ports", "listenerHost", "listeners",
      "drainTimeout", "accessLog", "transport");
  private static final Set<String> XDS = Set.of("address", "protocol", "caCertFile", "tokenFile");
  private static final Set<String> PORTS = Set.of("bindHost", "health", "metrics", "admin");
  private static final Set<String> LOCALITY = Set.of("region", "zone", "subZone");
  private static final Set<String> ACCESS_LOG = Set.of("path", "filter", "sampling");
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  private GatewaySettingsReader() {
  }

  /**
   * Reads {@code file} (null: built-in defaults only) with {@code overrides} on top.
   *
   * @throws GatewaySettingsException naming the source, the key and what is expected
   */
  public static GatewaySettings read(GatewayRole role, Path file, Map<String, String> overrides) {
    String source = file == null ? COMMAND_LINE : file.toString();
    Map<String, String> flat = new LinkedHashMap<>();
    Map<String, String> origin = new LinkedHashMap<>();
    if (file != null) {
      flatten(source, load(file), flat);
      flat.keySet().forEach(key -> origin.put(key, source));
    }
    for (Map.Entry<String, String> override : overrides.entrySet()) {
      String key = override.getKey();
      if (key.equals("labels") || key.equals("listeners")) {
        flat.keySet().removeIf(k -> k.startsWith(key + "."));
        for (String pair : override.getValue().split(",")) {
          if (pair.isBlank()) {
            continue;
          }
          int eq = pair.indexOf('=');
          if (eq <= 0) {
            throw new GatewaySettingsException(COMMAND_LINE, key, pair + " (expected: "
                + (key.equals("labels") ? "KEY=VALUE" : "LISTENER=HOST:PORT, e.g. 0.0.0.0_8080=127.0.0.1:0") + ")");
          }
          flat.put(key + "." + pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
          origin.put(key + "." + pair.substring(0, eq).trim(), COMMAND_LINE);
        }
      } else {
        flat.put(key, override.getValue());
        origin.put(key, COMMAND_LINE);
      }
    }
    GatewaySettings.Builder builder = GatewaySettings.builder(role);
    for (Map.Entry<String, String> entry : flat.entrySet()) {
      String key = entry.getKey();
      String where = origin.getOrDefault(key, source);
      try {
        set(builder, key, entry.getValue(), where);
      } catch (GatewaySettingsException e) {
        throw e.from(where);
      }
    }
    builder.locality(flat.getOrDefault("locality.region", ""), flat.getOrDefault("locality.zone", ""),
        flat.getOrDefault("locality.subZone", ""));
    if (flat.keySet().stream().anyMatch(k -> k.startsWith("accessLog."))) {
      String where = origin.getOrDefault("accessLog.sampling", origin.getOrDefault("accessLog.filter",
          origin.getOrDefault("accessLog.path", source)));
      String samplingText = flat.getOrDefault("accessLog.sampling", "1.0");
      double sampling;
      try {
        sampling = Double.parseDouble(samplingText);
      } catch (NumberFormatException e) {
        throw new GatewaySettingsException(where, "accessLog.sampling", samplingText + " (expected: 0.0 to 1.0)");
      }
      try {
        builder.accessLog(flat.getOrDefault("accessLog.path", ""), flat.getOrDefault("accessLog.filter", ""),
            sampling);
      } catch (GatewaySettingsException e) {
        throw e.from(where);
      }
    }
    try {
      return builder.build();
    } catch (GatewaySettingsException e) {
      throw e.from(source);
    }
  }

  private static Object load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new GatewaySettingsException(file.toString(), "", "cannot read: " + e.getMessage()
          + " (expected: a readable YAML file, docs/configuration.md)");
    }
    try {
      Object root = new Load(LoadSettings.builder().setAllowDuplicateKeys(false).build()).loadFromString(text);
      return root == null ? Map.of() : root;
    } catch (YamlEngineException e) {
      throw new GatewaySettingsException(file.toString(), "", "invalid YAML: " + e.getMessage().replace('\n', ' '));
    }
  }

  private static void flatten(String source, Object root, Map<String, String> flat) {
    Map<?, ?> top = section(source, "", root);
    for (Map.Entry<?, ?> entry : top.entrySet()) {
      String key = String.valueOf(entry.getKey());
      if (!TOP.contains(key)) {
        throw unknown(source, key, TOP);
      }
      Object value = entry.getValue();
      switch (key) {
        case "xds" -> nested(source, key, value, XDS, flat);
        case "ports" -> nested(source, key, value, PORTS, flat);
        case "locality" -> nested(source, key, value, LOCALITY, flat);
        case "labels", "listeners" -> {
          for (Map.Entry<?, ?> item : section(source, key, value).entrySet()) {
            flat.put(key + "." + item.getKey(), scalar(source, key + "." + item.getKey(), item.getValue()));
          }
        }
        case "accessLog" -> nested(source, key, value, ACCESS_LOG, flat);
        default -> flat.put(key, scalar(source, key, value));
      }
    }
  }

  private static void nested(String source, String prefix, Object value, Set<String> keys, Map<String, String> flat) {
    for (Map.Entry<?, ?> item : section(source, prefix, value).entrySet()) {
      String key = String.valueOf(item.getKey());
      if (!keys.contains(key)) {
        throw unknown(source, prefix + "." + key, keys);
      }
      flat.put(prefix + "." + key, scalar(source, prefix + "." + key, item.getValue()));
    }
  }

  private static Map<?, ?> section(String source, String key, Object value) {
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw new GatewaySettingsException(source, key, value + " (expected: a mapping of keys to values)");
    }
    return map;
  }

  private static String scalar(String source, String key, Object value) {
    if (value instanceof Map<?, ?> || value instanceof List<?>) {
      throw new GatewaySettingsException(source, key, value + " (expected: a single value)");
    }
    return value == null ? "" : String.valueOf(value);
  }

  private static GatewaySettingsException unknown(String source, String key, Set<String> expected) {
    return new GatewaySettingsException(source, key, "unknown key (expected one of: "
        + String.join(", ", expected.stream().sorted().toList()) + ")");
  }

  private static void set(GatewaySettings.Builder b, String key, String value, String source) {
    switch (key) {
      case "name" -> b.name(value);
      case "podName" -> b.podName(value);
      case "namespace" -> b.namespace(value);
      case "clusterId" -> b.clusterId(value);
      case "network" -> b.network(value);
      case "meshId" -> b.meshId(value);
      case "serviceAccount" -> b.serviceAccount(value);
      case "trustDomain" -> b.trustDomain(value);
      case "podIp" -> b.podIp(value);
      case "listenerHost" -> {
        if (!value.isEmpty()) {
          b.listenerHost(value);
        }
      }
      case "drainTimeout" -> b.drainTimeout(duration(source, key, value));
      case "transport" -> b.transport(value);
      case "locality.region", "locality.zone", "locality.subZone", "accessLog.path", "accessLog.filter",
          "accessLog.sampling" -> {
        // Set together after the loop: the builder takes the three at once.
      }
      case "xds.address" -> {
        HostPort address = hostPort(source, key, value, false);
        b.xdsAddress(address.host, address.port);
      }
      case "xds.protocol" -> b.protocol(switch (value) {
        case "delta" -> AdsClient.Protocol.DELTA;
        case "sotw" -> AdsClient.Protocol.STATE_OF_THE_WORLD;
        default -> throw new GatewaySettingsException(source, key, value + " (expected: delta or sotw)");
      });
      case "xds.caCertFile" -> {
        if (!value.isEmpty()) {
          b.caCertFile(Path.of(value));
        }
      }
      case "xds.tokenFile" -> {
        if (!value.isEmpty()) {
          b.tokenFile(Path.of(value));
        }
      }
      case "ports.bindHost" -> b.bindHost(value);
      case "ports.health" -> b.healthPort(integer(source, key, value));
      case "ports.metrics" -> b.metricsPort(integer(source, key, value));
      case "ports.admin" -> {
        HostPort address = hostPort(source, key, value, true);
        b.admin(address.host, address.port);
      }
      default -> {
        if (key.startsWith("labels.")) {
          b.label(key.substring("labels.".length()), value);
        } else if (key.startsWith("listeners.")) {
          HostPort address = hostPort(source, key, value, true);
          b.listener(key.substring("listeners.".length()), address.host, address.port);
        } else {
          throw unknown(source, key, TOP);
        }
      }
    }
  }

  private record HostPort(String host, int port) {
  }

  private static HostPort hostPort(String source, String key, String value, boolean zeroAllowed) {
    int colon = value.lastIndexOf(':');
    String expected = " (expected: host:port" + (zeroAllowed ? ", port 0 for any free port" : "") + ")";
    if (colon <= 0 || colon == value.length() - 1) {
      throw new GatewaySettingsException(source, key, value + expected);
    }
    String host = value.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(value.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new GatewaySettingsException(source, key, value + expected);
    }
    if (port < (zeroAllowed ? 0 : 1) || port > 65535) {
      throw new GatewaySettingsException(source, key, value + expected);
    }
    return new HostPort(host, port);
  }

  private static int integer(String source, String key, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new GatewaySettingsException(source, key, value + " (expected: a port number 0..65535)");
    }
  }

  /** Istio's duration notation: {@code 500ms}, {@code 30s}, {@code 1m}, {@code 1h}. */
  static Duration duration(String source, String key, String value) {
    Matcher m = DURATION.matcher(value);
    if (!m.matches()) {
      throw new GatewaySettingsException(source, key, value + " (expected: a duration such as 500ms, 30s, 1m, 1h)");
    }
    long amount = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      default -> Duration.ofHours(amount);
    };
  }
}
