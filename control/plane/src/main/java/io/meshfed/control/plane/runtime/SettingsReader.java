package io.meshfed.control.plane.runtime;

import io.meshfed.control.plane.istio.Durations;
import io.meshfed.control.plane.istio.ListValue;
import io.meshfed.control.plane.istio.ObjectValue;
import io.meshfed.control.plane.istio.Position;
import io.meshfed.control.plane.istio.ScalarValue;
import io.meshfed.control.plane.istio.Value;
import io.meshfed.control.plane.istio.YamlDocuments;
import io.meshfed.control.plane.istio.YamlSyntaxException;
import io.meshfed.control.plane.runtime.ControlPlaneSettings.Address;
import io.meshfed.control.plane.runtime.ControlPlaneSettings.Ca;
import io.meshfed.control.plane.runtime.ControlPlaneSettings.CaModeSetting;
import io.meshfed.control.plane.runtime.ControlPlaneSettings.Config;
import io.meshfed.control.plane.runtime.ControlPlaneSettings.ConfigSourceKind;
import io.meshfed.control.plane.runtime.ControlPlaneSettings.Federation;
import io.meshfed.control.plane.runtime.ControlPlaneSettings.MeshConfig;
import io.meshfed.control.plane.runtime.ControlPlaneSettings.Member;
import io.meshfed.control.plane.runtime.ControlPlaneSettings.OnStale;
import io.meshfed.control.plane.runtime.ControlPlaneSettings.Vault;
import io.meshfed.control.plane.runtime.ControlPlaneSettings.VaultAuthMethod;
import io.meshfed.control.plane.runtime.ControlPlaneSettings.VaultAuthSettings;
import io.meshfed.control.plane.runtime.ControlPlaneSettings.Xds;
import io.meshfed.control.plane.translate.ExtAuthzProvider;
import io.meshfed.control.plane.translate.MeshView;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads docs/configuration.md's control-plane file strictly: every key is known or an error, every value is typed
 * and range-checked, and each error names the key, the file position and the expected form. Command-line
 * overrides replace single keys before the checks, so they are validated exactly like the file.
 */
final class SettingsReader {

  static final String COMMAND_LINE = "command line";
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Pattern HOST = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
  /** An HTTP header name (RFC 9110 token) without '*', which Istio reads as a prefix or suffix wildcard. */
  private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9!#$%&'+.^_`|~-]+");
  /** Istio's other {@code ExtensionProvider} kinds: known, so the error says "not supported" rather than "unknown". */
  private static final List<String> OTHER_PROVIDER_KINDS = List.of("zipkin", "lightstep", "datadog", "stackdriver",
      "opencensus", "skywalking", "opentelemetry", "prometheus", "envoyFileAccessLog", "envoyHttpAls", "envoyTcpAls",
      "envoyOtelAls", "sds");
  /** Istio's {@code EnvoyExternalAuthorizationHttpProvider} fields the gateways do not implement, with the fix. */
  private static final Map<String, String> UNSUPPORTED_EXT_AUTHZ_HTTP = Collections.unmodifiableMap(new TreeMap<>(
      Map.of(
      "includeHeadersInCheck", "deprecated in Istio (expected: includeRequestHeadersInCheck)",
      "includeAdditionalHeadersInCheck", "not supported by meshfed's gateways (expected: remove it; the authorizer "
          + "gets the request's method, path, authorization header and includeRequestHeadersInCheck)",
      "includeRequestBodyInCheck", "not supported by meshfed's gateways (expected: remove it; the authorizer gets "
          + "no body)",
      "headersToDownstreamOnAllow", "not supported by meshfed's gateways (expected: remove it)",
      "headersToDownstreamOnDeny", "not supported by meshfed's gateways (expected: remove it; a denial returns "
          + "the authorizer's own headers)")));
  /** Keys whose override text is a comma-separated list. */
  private static final Set<String> LIST_KEYS = Set.of("trustDomainAliases", "federation.members");

  private final String file;
  private final Set<String> overridden;

  private SettingsReader(String file, Set<String> overridden) {
    this.file = file;
    this.overridden = overridden;
  }

  static ControlPlaneSettings read(Path path, Map<String, String> overrides) {
    String name = path == null ? "built-in defaults" : path.toString();
    ObjectValue root = path == null ? new ObjectValue(Map.of(), Optional.empty()) : parse(path);
    for (Map.Entry<String, String> override : overrides.entrySet()) {
      root = withOverride(root, override.getKey(), override.getValue());
    }
    return new SettingsReader(name, overrides.keySet()).settings(root);
  }

  private static ObjectValue parse(Path path) {
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new SettingsException(path.toString(), "", "cannot read: " + e.getMessage()
          + " (expected: a readable YAML file, docs/configuration.md)");
    }
    List<YamlDocuments.Document> documents;
    try {
      documents = YamlDocuments.read(path.toString(), text);
    } catch (YamlSyntaxException e) {
      throw new SettingsException(path.toString(), "", "invalid YAML: " + e.getMessage());
    }
    if (documents.isEmpty()) {
      return new ObjectValue(Map.of(), Optional.empty());
    }
    if (documents.size() > 1) {
      throw new SettingsException(path.toString(), "", documents.size()
          + " YAML documents (expected: one settings document)");
    }
    if (!(documents.get(0).root() instanceof ObjectValue object)) {
      throw new SettingsException(path.toString(), "", "the document is not a mapping (expected: key: value "
          + "settings, docs/configuration.md)");
    }
    return object;
  }

  /** Sets {@code key} (dotted) to the override's value, typed as YAML would type it. */
  private static ObjectValue withOverride(ObjectValue root, String key, String text) {
    String[] parts = key.split("\\.");
    Value value;
    if (LIST_KEYS.contains(key)) {
      List<Value> items = new ArrayList<>();
      for (String item : text.split(",")) {
        if (!item.isBlank()) {
          items.add(new ScalarValue(item.trim(), Optional.empty()));
        }
      }
      value = new ListValue(items, Optional.empty());
    } else {
      value = new ScalarValue(typed(text), Optional.empty());
    }
    return put(root, parts, 0, value);
  }

  private static Object typed(String text) {
    if (text.isEmpty()) {
      return "";
    }
    if (text.equals("true") || text.equals("false")) {
      return Boolean.parseBoolean(text);
    }
    if (text.matches("-?\\d{1,18}")) {
      return Long.parseLong(text);
    }
    return text;
  }

  private static ObjectValue put(ObjectValue object, String[] path, int index, Value value) {
    Map<String, Value> fields = new LinkedHashMap<>(object.fields());
    if (index == path.length - 1) {
      fields.put(path[index], value);
    } else {
      Value child = fields.get(path[index]);
      ObjectValue section = child instanceof ObjectValue o ? o : new ObjectValue(Map.of(), Optional.empty());
      fields.put(path[index], put(section, path, index + 1, value));
    }
    return new ObjectValue(fields, object.position());
  }

  // ---------------------------------------------------------------- the schema

  private ControlPlaneSettings settings(ObjectValue root) {
    Section top = new Section("", root);
    String meshId = top.text("meshId", "mesh1", TOKEN, "letters, digits, '.', '_' or '-'");
    String clusterId = top.text("clusterId", "cluster1", DNS_LABEL, "a DNS-1123 label, unique in the mesh");
    String network = top.text("network", "", null, null);
    String trustDomain = top.text("trustDomain", "cluster.local", Pattern.compile("[a-z0-9._-]+"),
        "a SPIFFE trust domain: lowercase letters, digits, '.', '-', '_'");
    List<String> aliases = top.textList("trustDomainAliases");
    String systemNamespace = top.text("systemNamespace", "meshfed-system", DNS_LABEL, "a namespace (DNS-1123 label)");
    Section locality = top.section("locality");
    ControlPlaneSettings.Locality where = new ControlPlaneSettings.Locality(
        locality.text("region", "", null, null), locality.text("zone", "", null, null));
    locality.finish();
    String dataDirText = top.text("dataDir", defaultDataDir(), null, null);
    if (dataDirText.isBlank()) {
      throw top.error("dataDir", "\"\" (expected: a directory for the local CA, tokens and caches)");
    }
    Config config = config(top.section("config"));
    Ca ca = ca(top.section("ca"));
    Federation federation = federation(top.section("federation"));
    Xds xds = xds(top.section("xds"));
    Section adminSection = top.section("admin");
    ControlPlaneSettings.Admin admin = new ControlPlaneSettings.Admin(
        adminSection.address("address", "0.0.0.0:15014", false));
    adminSection.finish();
    Section webhookSection = top.section("webhook");
    ControlPlaneSettings.Webhook webhook = new ControlPlaneSettings.Webhook(
        webhookSection.address("address", "0.0.0.0:15017", true));
    webhookSection.finish();
    String outbound = top.choice("outboundTrafficPolicy", "ALLOW_ANY", List.of("ALLOW_ANY", "REGISTRY_ONLY"), false);
    MeshConfig meshConfig = meshConfig(top.section("meshConfig"));
    top.finish();
    return new ControlPlaneSettings(meshId, clusterId, network, trustDomain, aliases, systemNamespace, where,
        Path.of(dataDirText), config, ca, federation, xds, admin, webhook, outbound, meshConfig);
  }

  private static String defaultDataDir() {
    String env = System.getenv("MESHFED_DATA_DIR");
    return env == null || env.isBlank() ? "meshfed-data" : env;
  }

  private Config config(Section section) {
    ConfigSourceKind source = ConfigSourceKind.valueOf(section.choice("source", "kubernetes",
        List.of("kubernetes", "directory"), true).toUpperCase(Locale.ROOT));
    String directory = section.text("directory", "/etc/meshfed/config", null, null);
    if (source == ConfigSourceKind.DIRECTORY && directory.isBlank()) {
      throw section.error("directory", "\"\" (expected: the directory of Istio YAML to watch, for source: directory)");
    }
    String kubeconfig = section.text("kubeconfig", "", null, null);
    section.finish();
    return new Config(source, Path.of(directory.isBlank() ? "." : directory), kubeconfig);
  }

  private Ca ca(Section section) {
    String modeText = section.choice("mode", "local", List.of("local", "vault", "vault-sign"), false);
    CaModeSetting mode = CaModeSetting.valueOf(modeText.replace('-', '_').toUpperCase(Locale.ROOT));
    // As short as 30 s, so rotation under traffic can be shown and tested (meshfed demo --workload-cert-ttl); a
    // production mesh keeps Istio's 24 h default: every gateway renews at half life.
    Duration ttl = section.duration("workloadCertTtl", Duration.ofHours(24), Duration.ofSeconds(30));
    Section vault = section.section("vault");
    String address = vault.text("address", "https://vault.vault:8200", null, null);
    if (mode != CaModeSetting.LOCAL && !address.matches("https?://[^\\s/]+(:\\d+)?/?")) {
      throw vault.error("address", quote(address) + " (expected: http(s)://host:port of Vault, for ca.mode "
          + modeText + ")");
    }
    String pkiPath = vault.text("pkiPath", "pki", null, null);
    String intermediatePath = vault.text("intermediatePath", "pki_int", null, null);
    String role = vault.text("role", "meshfed", null, null);
    String caCertFile = vault.text("caCertFile", "", null, null);
    Section auth = vault.section("auth");
    VaultAuthMethod method = VaultAuthMethod.valueOf(auth.choice("method", "kubernetes",
        List.of("kubernetes", "approle", "token"), false).toUpperCase(Locale.ROOT));
    String authRole = auth.text("role", "meshfed", null, null);
    String mountPath = auth.text("mountPath", "kubernetes", null, null);
    String tokenFile = auth.text("tokenFile", "/var/run/secrets/kubernetes.io/serviceaccount/token", null, null);
    String roleIdFile = auth.text("roleIdFile", "", null, null);
    String secretIdFile = auth.text("secretIdFile", "", null, null);
    if (mode != CaModeSetting.LOCAL) {
      if (method == VaultAuthMethod.APPROLE && (roleIdFile.isBlank() || secretIdFile.isBlank())) {
        throw auth.error(roleIdFile.isBlank() ? "roleIdFile" : "secretIdFile",
            "\"\" (expected: the file holding the AppRole's " + (roleIdFile.isBlank() ? "role_id" : "secret_id")
                + ", for method approle)");
      }
      if (method != VaultAuthMethod.APPROLE && tokenFile.isBlank()) {
        throw auth.error("tokenFile", "\"\" (expected: the " + (method == VaultAuthMethod.TOKEN ? "Vault token"
            : "service-account token") + " file, for method " + method.name().toLowerCase(Locale.ROOT) + ")");
      }
    }
    auth.finish();
    vault.finish();
    section.finish();
    return new Ca(mode, ttl, new Vault(address, pkiPath, intermediatePath, role, caCertFile,
        new VaultAuthSettings(method, authRole, mountPath, tokenFile, roleIdFile, secretIdFile)));
  }

  private Federation federation(Section section) {
    List<Member> members = new ArrayList<>();
    List<String> unnamedMembers = new ArrayList<>();
    List<String> texts = section.textList("members");
    Set<String> seen = new LinkedHashSet<>();
    for (int i = 0; i < texts.size(); i++) {
      String text = texts.get(i);
      String key = "members[" + i + "]";
      int eq = text.indexOf('=');
      if (eq < 0) {
        // The relay needs the peer's member name (its cluster id) to reach it; a bare address cannot be used. The
        // file still loads (a remote Secret may announce the same peer with its name); the start reports it.
        Address address = section.parseAddress(key, text);
        unnamedMembers.add(key + ": " + address + " has no cluster id (expected: <clusterId>=" + address
            + "; or let the peer's remote Secret announce it with meshfed.io/federation-endpoint)");
        continue;
      }
      String clusterId = text.substring(0, eq);
      if (eq == 0 || !DNS_LABEL.matcher(clusterId).matches()) {
        throw section.error(key, quote(text) + " (expected: <clusterId>=host:port with a DNS-1123 cluster id)");
      }
      if (!seen.add(clusterId)) {
        throw section.error(key, quote(text) + " (expected: each cluster id once; " + clusterId + " is listed twice)");
      }
      members.add(new Member(clusterId, section.parseAddress(key, text.substring(eq + 1))));
    }
    int relayPort = section.integer("relayPort", 15015, 0, 65535);
    int hazelcastPort = section.integer("hazelcastPort", 5701, 1, 65535);
    boolean kubernetesDiscovery = section.bool("kubernetesDiscovery", false);
    Duration leaseGrace = section.duration("leaseGrace", Duration.ofSeconds(60), Duration.ZERO);
    OnStale onStale = OnStale.valueOf(section.choice("onStale", "withdraw", List.of("withdraw", "fail-static"), false)
        .replace('-', '_').toUpperCase(Locale.ROOT));
    Duration remoteSecretTimeout = section.duration("remoteSecretTimeout", Duration.ofSeconds(30),
        Duration.ofMillis(1));
    Duration memberTimeout = section.duration("memberTimeout", Duration.ofSeconds(60), Duration.ofSeconds(5));
    Duration mergeInterval = section.duration("mergeInterval", Duration.ofSeconds(30), Duration.ofSeconds(1));
    section.finish();
    return new Federation(members, unnamedMembers, relayPort, hazelcastPort, kubernetesDiscovery, leaseGrace,
        onStale, remoteSecretTimeout, memberTimeout, mergeInterval);
  }

  private Xds xds(Section section) {
    Address plaintext = section.address("plaintextAddress", "127.0.0.1:15010", true);
    Address tls = section.address("tlsAddress", "0.0.0.0:15012", true);
    if (plaintext == null && tls == null) {
      throw section.error("tlsAddress", "\"\" (expected: at least one of plaintextAddress and tlsAddress)");
    }
    Duration after = section.duration("debounceAfter", Duration.ofMillis(100), Duration.ofMillis(1));
    Duration max = section.duration("debounceMax", Duration.ofSeconds(10), Duration.ofMillis(1));
    if (max.compareTo(after) < 0) {
      throw section.error("debounceMax", max + " (expected: at least debounceAfter, " + after + ")");
    }
    section.finish();
    return new Xds(plaintext, tls, after, max);
  }

  /**
   * Istio's {@code meshConfig} subset: {@code extensionProviders[]} (istio.mesh.v1alpha1 MeshConfig.ExtensionProvider)
   * and {@code defaultConfig.tracing.sampling} (ProxyConfig's Tracing, a percentage, default 1.0).
   */
  private MeshConfig meshConfig(Section section) {
    List<ExtAuthzProvider> providers = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    List<Section> items = section.sections("extensionProviders");
    for (int i = 0; i < items.size(); i++) {
      providers.add(extensionProvider(items.get(i), i, seen));
    }
    Section defaultConfig = section.section("defaultConfig");
    Section tracing = defaultConfig.section("tracing");
    double sampling = tracing.number("sampling", MeshView.DEFAULT_TRACE_SAMPLING_PERCENT, 0, 100,
        "a percentage 0..100 of new traces the gateways sample");
    tracing.finish();
    defaultConfig.finish();
    section.finish();
    return new MeshConfig(providers, sampling);
  }

  private ExtAuthzProvider extensionProvider(Section item, int index, Map<String, Integer> seen) {
    String name = item.text("name", "", null, null);
    if (name.isBlank()) {
      throw item.error("name", "\"\" (expected: the name CUSTOM AuthorizationPolicies give in spec.provider.name)");
    }
    Integer first = seen.putIfAbsent(name, index);
    if (first != null) {
      throw item.error("name", quote(name) + " (expected: each provider name once; extensionProviders[" + first
          + "] has this name)");
    }
    if (item.has("envoyExtAuthzGrpc")) {
      throw item.error("envoyExtAuthzGrpc", "not supported: meshfed's gateways call HTTP authorizers only "
          + "(expected: envoyExtAuthzHttp with the authorizer's HTTP port)");
    }
    for (String kind : OTHER_PROVIDER_KINDS) {
      if (item.has(kind)) {
        throw item.error(kind, "not supported: meshfed reads only external authorizers from extensionProviders "
            + "(expected: envoyExtAuthzHttp, or remove this provider)");
      }
    }
    if (!item.has("envoyExtAuthzHttp")) {
      throw item.error("envoyExtAuthzHttp", "missing (expected: envoyExtAuthzHttp: {service: <host>, port: <port>})");
    }
    Section http = item.section("envoyExtAuthzHttp");
    item.finish();
    for (Map.Entry<String, String> unsupported : UNSUPPORTED_EXT_AUTHZ_HTTP.entrySet()) {
      if (http.has(unsupported.getKey())) {
        throw http.error(unsupported.getKey(), unsupported.getValue());
      }
    }
    if (!http.has("service")) {
      throw http.error("service", "missing (expected: the authorizer's host name, e.g. "
          + "ext-authz.foo.svc.cluster.local: a Service or ServiceEntry host)");
    }
    String service = http.text("service", "", null, null);
    if (service.contains("/")) {
      throw http.error("service", quote(service) + " (expected: the authorizer's fully qualified host name, e.g. "
          + "ext-authz.foo.svc.cluster.local; the <namespace>/<host> form is not supported)");
    }
    if (!HOST.matcher(service).matches()) {
      throw http.error("service", quote(service) + " (expected: a host name, e.g. ext-authz.foo.svc.cluster.local)");
    }
    if (!http.has("port")) {
      throw http.error("port", "missing (expected: the authorizer's port, 1..65535)");
    }
    int port = http.integer("port", 0, 1, 65535);
    String pathPrefix = http.text("pathPrefix", "", null, null);
    if (!pathPrefix.isEmpty() && !pathPrefix.startsWith("/")) {
      throw http.error("pathPrefix", quote(pathPrefix) + " (expected: a path starting with '/', e.g. /check)");
    }
    List<String> requestHeaders = headerNames(http, "includeRequestHeadersInCheck");
    List<String> upstreamHeaders = headerNames(http, "headersToUpstreamOnAllow");
    boolean failOpen = http.bool("failOpen", false);
    int statusOnError = http.status("statusOnError", 403);
    // Istio's default timeout is 10 minutes (its EnvoyExternalAuthorizationHttpProvider reference).
    Duration timeout = http.duration("timeout", Duration.ofMinutes(10), Duration.ofMillis(1));
    http.finish();
    return new ExtAuthzProvider(name, service, port, pathPrefix, requestHeaders, upstreamHeaders, failOpen,
        statusOnError, timeout);
  }

  private static List<String> headerNames(Section section, String key) {
    List<String> names = section.textList(key);
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      if (name.contains("*")) {
        throw section.error(key + "[" + i + "]", quote(name) + " (expected: an exact header name; prefix and "
            + "suffix patterns are not supported)");
      }
      if (!HEADER.matcher(name).matches()) {
        throw section.error(key + "[" + i + "]", quote(name) + " (expected: an HTTP header name)");
      }
    }
    return names;
  }

  private static String quote(String text) {
    return "\"" + text + "\"";
  }

  // ---------------------------------------------------------------- one mapping of the file

  /** One mapping: typed accessors that remember what they consumed, and {@link #finish} for unknown keys. */
  private final class Section {
    private final String prefix;
    private final ObjectValue object;
    private final List<String> known = new ArrayList<>();

    Section(String prefix, ObjectValue object) {
      this.prefix = prefix;
      this.object = object;
    }

    private String path(String key) {
      return prefix.isEmpty() ? key : prefix + "." + key;
    }

    SettingsException error(String key, String message) {
      String path = path(key);
      if (overridden.contains(path)) {
        return new SettingsException(COMMAND_LINE, path, message);
      }
      Optional<Position> where = object.get(key.replaceAll("\\[.*", "")).flatMap(SettingsReader::position)
          .or(object::position);
      return new SettingsException(file + where.map(p -> ":" + p).orElse(""), path, message);
    }

    private Optional<Value> value(String key) {
      known.add(key);
      return object.get(key).filter(v -> !(v instanceof ScalarValue s && s.value() == null));
    }

    Section section(String key) {
      Optional<Value> value = value(key);
      if (value.isEmpty()) {
        return new Section(path(key), new ObjectValue(Map.of(), object.position()));
      }
      if (!(value.get() instanceof ObjectValue child)) {
        throw error(key, value.get().describe() + " (expected: a mapping of settings)");
      }
      return new Section(path(key), child);
    }

    String text(String key, String fallback, Pattern pattern, String expected) {
      Optional<Value> value = value(key);
      if (value.isEmpty()) {
        return fallback;
      }
      if (!(value.get() instanceof ScalarValue scalar) || scalar.value() instanceof Boolean) {
        throw error(key, value.get().describe() + " (expected: a string)");
      }
      String text = scalar.text();
      if (pattern != null && !pattern.matcher(text).matches()) {
        throw error(key, quote(text) + " (expected: " + expected + ")");
      }
      return text;
    }

    String choice(String key, String fallback, List<String> allowed, boolean caseInsensitive) {
      String text = text(key, fallback, null, null);
      for (String option : allowed) {
        if (caseInsensitive ? option.equalsIgnoreCase(text) : option.equals(text)) {
          return option;
        }
      }
      throw error(key, quote(text) + " (expected: " + String.join(", ", allowed) + ")");
    }

    /** Whether the mapping holds {@code key} (without consuming it). */
    boolean has(String key) {
      return object.get(key).filter(v -> !(v instanceof ScalarValue s && s.value() == null)).isPresent();
    }

    /** A list of mappings, each a section named {@code key[i]}. */
    List<Section> sections(String key) {
      Optional<Value> value = value(key);
      if (value.isEmpty()) {
        return List.of();
      }
      if (!(value.get() instanceof ListValue list)) {
        throw error(key, value.get().describe() + " (expected: a list of mappings)");
      }
      List<Section> out = new ArrayList<>();
      for (int i = 0; i < list.items().size(); i++) {
        if (!(list.items().get(i) instanceof ObjectValue item)) {
          throw error(key + "[" + i + "]", list.items().get(i).describe() + " (expected: a mapping)");
        }
        out.add(new Section(path(key) + "[" + i + "]", item));
      }
      return out;
    }

    List<String> textList(String key) {
      Optional<Value> value = value(key);
      if (value.isEmpty()) {
        return List.of();
      }
      if (!(value.get() instanceof ListValue list)) {
        throw error(key, value.get().describe() + " (expected: a list of strings, e.g. [a, b])");
      }
      List<String> out = new ArrayList<>();
      for (int i = 0; i < list.items().size(); i++) {
        Value item = list.items().get(i);
        if (!(item instanceof ScalarValue scalar) || !(scalar.value() instanceof String s) || s.isBlank()) {
          throw error(key + "[" + i + "]", item.describe() + " (expected: a non-empty string)");
        }
        out.add(s);
      }
      return out;
    }

    int integer(String key, int fallback, int min, int max) {
      Optional<Value> value = value(key);
      if (value.isEmpty()) {
        return fallback;
      }
      if (!(value.get() instanceof ScalarValue scalar) || !(scalar.value() instanceof Long number)
          || number < min || number > max) {
        throw error(key, value.get().describe() + " (expected: an integer " + min + ".." + max + ")");
      }
      return number.intValue();
    }

    /** A number (integer or decimal); a command-line override arrives as text. */
    double number(String key, double fallback, double min, double max, String expected) {
      Optional<Value> value = value(key);
      if (value.isEmpty()) {
        return fallback;
      }
      Object raw = value.get() instanceof ScalarValue scalar ? scalar.value() : null;
      double number = Double.NaN;
      if (raw instanceof Long l) {
        number = l;
      } else if (raw instanceof Double d) {
        number = d;
      } else if (raw instanceof String s && overridden.contains(path(key))) {
        try {
          number = Double.parseDouble(s);
        } catch (NumberFormatException e) {
          number = Double.NaN;
        }
      }
      if (!(number >= min && number <= max)) {
        throw error(key, value.get().describe() + " (expected: " + expected + ")");
      }
      return number;
    }

    /** An HTTP status as a number or, as Istio writes it, a string ({@code "403"}). */
    int status(String key, int fallback) {
      Optional<Value> value = value(key);
      if (value.isEmpty()) {
        return fallback;
      }
      Object raw = value.get() instanceof ScalarValue scalar ? scalar.value() : null;
      long code = -1;
      if (raw instanceof Long l) {
        code = l;
      } else if (raw instanceof String s && s.matches("\\d{3}")) {
        code = Long.parseLong(s);
      }
      if (code < 100 || code > 599) {
        throw error(key, value.get().describe() + " (expected: an HTTP status 100..599, e.g. \"403\")");
      }
      return (int) code;
    }

    boolean bool(String key, boolean fallback) {
      Optional<Value> value = value(key);
      if (value.isEmpty()) {
        return fallback;
      }
      if (!(value.get() instanceof ScalarValue scalar) || !(scalar.value() instanceof Boolean b)) {
        throw error(key, value.get().describe() + " (expected: true or false)");
      }
      return b;
    }

    Duration duration(String key, Duration fallback, Duration min) {
      Optional<Value> value = value(key);
      if (value.isEmpty()) {
        return fallback;
      }
      String text = value.get() instanceof ScalarValue scalar && scalar.value() instanceof String s ? s : null;
      Optional<Duration> parsed = text == null ? Optional.empty() : Durations.parse(text);
      if (parsed.isEmpty()) {
        boolean bareNumber = value.get() instanceof ScalarValue s2 && s2.value() instanceof Long;
        throw error(key, value.get().describe() + " (expected: a duration such as 100ms, 10s, 1m or 1h"
            + (bareNumber ? "; a number needs a unit, e.g. " + ((ScalarValue) value.get()).text() + "s" : "") + ")");
      }
      if (parsed.get().compareTo(min) < 0) {
        throw error(key, quote(text) + " (expected: at least " + Durations.format(min) + ")");
      }
      return parsed.get();
    }

    /** {@code host:port}; empty text gives null when {@code optional}. */
    Address address(String key, String fallback, boolean optional) {
      String text = text(key, fallback, null, null);
      if (text.isBlank()) {
        if (optional) {
          return null;
        }
        throw error(key, "\"\" (expected: host:port)");
      }
      return parseAddress(key, text);
    }

    Address parseAddress(String key, String text) {
      String host;
      String port;
      if (text.startsWith("[")) {
        int close = text.indexOf("]:");
        if (close < 0) {
          throw error(key, quote(text) + " (expected: [IPv6]:port)");
        }
        host = text.substring(1, close);
        port = text.substring(close + 2);
      } else {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || text.indexOf(':') != colon) {
          throw error(key, quote(text) + " (expected: host:port, e.g. 0.0.0.0:15012)");
        }
        host = text.substring(0, colon);
        port = text.substring(colon + 1);
      }
      int number;
      try {
        number = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        number = -1;
      }
      if (number < 0 || number > 65535 || host.isBlank() || host.chars().anyMatch(Character::isWhitespace)) {
        throw error(key, quote(text) + " (expected: host:port with a port 0..65535)");
      }
      return new Address(host, number);
    }

    void finish() {
      for (Map.Entry<String, Value> field : object.fields().entrySet()) {
        if (!known.contains(field.getKey())) {
          String path = path(field.getKey());
          Optional<Position> where = position(field.getValue()).or(object::position);
          throw new SettingsException(overridden.contains(path) ? COMMAND_LINE
              : file + where.map(p -> ":" + p).orElse(""), path,
              "unknown key (expected one of: " + String.join(", ", known) + "; see docs/configuration.md)");
        }
      }
    }
  }

  private static Optional<Position> position(Value value) {
    if (value instanceof ObjectValue o) {
      return o.position();
    }
    if (value instanceof ListValue l) {
      return l.position();
    }
    return ((ScalarValue) value).position();
  }
}
