package io.meshfed.control.client.gateway;

import io.meshfed.control.client.accesslog.AccessLogFilter;
import io.meshfed.control.client.metrics.Workload;
import io.meshfed.control.client.xds.AdsClient;
import io.meshfed.control.client.xds.GatewayRole;
import io.meshfed.trust.SpiffeId;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything one gateway process needs (docs/configuration.md, "Gateways"): who it is (the node its control plane
 * groups it by), where the control plane is and how the gateway proves itself, where its servers listen. Immutable;
 * built by {@link #builder(GatewayRole)} (each setter checks its value and names the key) or read from a file by
 * {@link GatewaySettingsReader}.
 *
 * @param role eastwest, ingress or egress ({@code ROLE})
 * @param name the gateway workload's name ({@code WORKLOAD_NAME}, Istio's deployment name)
 * @param podName the pod's name, in the node id ({@code router~<ip>~<podName>.<namespace>~...}); default the name
 * @param namespace its namespace ({@code NAMESPACE})
 * @param clusterId the cluster it runs in ({@code CLUSTER_ID})
 * @param network its network ({@code NETWORK}), may be empty
 * @param meshId the mesh ({@code MESH_ID}), may be empty
 * @param serviceAccount its service account: the SVID is {@code spiffe://<trustDomain>/ns/<namespace>/sa/<this>}
 * @param trustDomain the mesh's trust domain
 * @param labels the gateway's pod labels ({@code LABELS}; Istio Gateway selectors match them)
 * @param locality where it runs ({@code node.locality})
 * @param podIp the address in the node id ({@code router~<podIp>~...})
 * @param xds the control plane connection
 * @param ports the runtime kit's servers
 * @param listenerHost if set, every xDS listener binds this host (at its xDS port) instead of its xDS address
 * @param listeners per xDS listener name, the address to bind instead (port 0: any free port)
 * @param drainTimeout how long in-flight work may take after SIGTERM
 * @param accessLog where the JSON access log goes (entries reach the admin {@code /requestz} either way)
 * @param transport the network transport the data plane runs on
 */
public record GatewaySettings(GatewayRole role, String name, String podName, String namespace, String clusterId, String network,
    String meshId, String serviceAccount, String trustDomain, Map<String, String> labels, Locality locality,
    String podIp, Xds xds, Ports ports, Optional<String> listenerHost, Map<String, InetSocketAddress> listeners,
    Duration drainTimeout, AccessLog accessLog, IoTransport transport) {

  private static final String SOURCE = "settings";
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._-]+");

  public GatewaySettings {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(podName, "podName");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(meshId, "meshId");
    Objects.requireNonNull(serviceAccount, "serviceAccount");
    Objects.requireNonNull(trustDomain, "trustDomain");
    labels = Map.copyOf(labels);
    Objects.requireNonNull(locality, "locality");
    Objects.requireNonNull(podIp, "podIp");
    Objects.requireNonNull(xds, "xds");
    Objects.requireNonNull(ports, "ports");
    Objects.requireNonNull(listenerHost, "listenerHost");
    listeners = Map.copyOf(listeners);
    Objects.requireNonNull(drainTimeout, "drainTimeout");
    Objects.requireNonNull(accessLog, "accessLog");
    Objects.requireNonNull(transport, "transport");
  }

  /** A builder with docs/configuration.md's defaults; {@code clusterId} and {@code xds.address} have none. */
  public static Builder builder(GatewayRole role) {
    return new Builder(role);
  }

  /** The default workload name of a role, as the Helm chart names the deployments. */
  public static String defaultName(GatewayRole role) {
    return switch (role) {
      case EASTWEST -> "meshfed-eastwestgateway";
      case INGRESS -> "meshfed-ingressgateway";
      case EGRESS -> "meshfed-egressgateway";
    };
  }

  /**
   * This gateway as Istio's {@code source_*} labels describe it (istio.io, "Istio Standard Metrics": a gateway reports
   * as the source): its workload name, namespace, SPIFFE principal, {@code app}/{@code version} pod labels (the app
   * defaults to the workload name) and cluster.
   */
  public Workload workload() {
    return Workload.builder().name(name).namespace(namespace)
        .principal(SpiffeId.of(trustDomain, namespace, serviceAccount).toString())
        .app(labels.getOrDefault("app", name)).version(labels.get("version")).cluster(clusterId).build();
  }

  /** The address an xDS listener binds: an explicit override, else {@code listenerHost} at the xDS port. */
  public Optional<InetSocketAddress> bindOverride(String listener, int xdsPort) {
    InetSocketAddress explicit = listeners.get(listener);
    if (explicit != null) {
      return Optional.of(explicit);
    }
    return listenerHost.map(host -> new InetSocketAddress(host, xdsPort));
  }

  /**
   * The node's locality.
   *
   * @param region region, may be empty
   * @param zone zone, may be empty
   * @param subZone sub-zone, may be empty
   */
  public record Locality(String region, String zone, String subZone) {
    /** No locality known. */
    public static final Locality UNKNOWN = new Locality("", "", "");

    public Locality {
      Objects.requireNonNull(region, "region");
      Objects.requireNonNull(zone, "zone");
      Objects.requireNonNull(subZone, "subZone");
    }
  }

  /**
   * The control-plane connection. With {@code caCertFile} the gateway speaks mTLS (port 15012): it asks the CA
   * service on the same address for its SVID, proving itself with the token, and verifies the control plane
   * against the root in that file. Without it, ADS is plaintext (15010, local use) and the gateway has no SVID.
   *
   * @param host the control plane's host
   * @param port its ADS port
   * @param protocol delta (default) or state of the world
   * @param caCertFile the mesh root ({@code root-cert.pem}); empty for plaintext
   * @param tokenFile a token file proving the identity for the first certificate (re-read at each request)
   * @param token the same as text, for in-JVM callers ({@code meshfed demo}'s bootstrap tokens); never printed
   */
  public record Xds(String host, int port, AdsClient.Protocol protocol, Optional<Path> caCertFile,
      Optional<Path> tokenFile, Optional<String> token) {

    public Xds {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(protocol, "protocol");
      Objects.requireNonNull(caCertFile, "caCertFile");
      Objects.requireNonNull(tokenFile, "tokenFile");
      Objects.requireNonNull(token, "token");
    }

    /** Whether ADS runs over mTLS with an SVID from the control plane's CA. */
    public boolean mtls() {
      return caCertFile.isPresent();
    }

    @Override
    public String toString() {
      return "Xds[" + host + ":" + port + ", " + protocol + ", caCertFile=" + caCertFile.orElse(null)
          + ", tokenFile=" + tokenFile.orElse(null) + ", token=" + (token.isPresent() ? "(redacted)" : "none") + "]";
    }
  }

  /**
   * The runtime kit's servers.
   *
   * @param bindHost where health and metrics listen
   * @param health health/readiness port (15021)
   * @param metrics Prometheus port (15090)
   * @param adminHost where the admin server listens (loopback by default, as Envoy's)
   * @param admin admin port (15000)
   */
  public record Ports(String bindHost, int health, int metrics, String adminHost, int admin) {
    public Ports {
      Objects.requireNonNull(bindHost, "bindHost");
      Objects.requireNonNull(adminHost, "adminHost");
    }
  }

  /**
   * The access log (docs/diagnostics.md): one JSON line per request or TCP connection.
   *
   * @param path a file, {@code /dev/stdout}; empty: no lines written
   * @param filter which entries to write ({@code response.code >= 400}); {@link AccessLogFilter#ALL} by default
   * @param sampling the share of filtered entries written, 0.0 to 1.0
   */
  public record AccessLog(String path, AccessLogFilter filter, double sampling) {
    /** No lines written. */
    public static final AccessLog OFF = new AccessLog("", AccessLogFilter.ALL, 1.0);

    public AccessLog {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(filter, "filter");
    }
  }

  /** Builds {@link GatewaySettings}; each setter checks its value and names the settings key at fault. */
  public static final class Builder {
    private final GatewayRole role;
    private String name;
    private String podName;
    private String namespace = "meshfed-system";
    private String clusterId;
    private String network = "";
    private String meshId = "";
    private String serviceAccount;
    private String trustDomain = "cluster.local";
    private final Map<String, String> labels = new LinkedHashMap<>();
    private Locality locality = Locality.UNKNOWN;
    private String podIp = "127.0.0.1";
    private String xdsHost;
    private int xdsPort;
    private AdsClient.Protocol protocol = AdsClient.Protocol.DELTA;
    private Path caCertFile;
    private Path tokenFile;
    private String token;
    private String bindHost = "0.0.0.0";
    private int health = 15021;
    private int metrics = 15090;
    private String adminHost = "127.0.0.1";
    private int admin = 15000;
    private String listenerHost;
    private final Map<String, InetSocketAddress> listeners = new LinkedHashMap<>();
    private Duration drainTimeout = Duration.ofSeconds(30);
    private AccessLog accessLog = AccessLog.OFF;
    private IoTransport transport = IoTransport.AUTO;

    private Builder(GatewayRole role) {
      this.role = Objects.requireNonNull(role, "role");
      this.name = defaultName(role);
    }

    /** {@code name}: a DNS label. */
    public Builder name(String value) {
      this.name = dnsLabel("name", value);
      return this;
    }

    /** {@code podName}: a DNS label (default: the name; the launcher uses {@code $POD_NAME} when set). */
    public Builder podName(String value) {
      this.podName = dnsLabel("podName", value);
      return this;
    }

    /** {@code namespace}: a DNS label (default meshfed-system). */
    public Builder namespace(String value) {
      this.namespace = dnsLabel("namespace", value);
      return this;
    }

    /** {@code clusterId}: required. */
    public Builder clusterId(String value) {
      this.clusterId = token("clusterId", value, "the id of the cluster this gateway runs in, e.g. east");
      return this;
    }

    /** {@code network} (default empty: the default network). */
    public Builder network(String value) {
      this.network = value.isEmpty() ? "" : token("network", value, "a network id such as network-east");
      return this;
    }

    /** {@code meshId} (default empty). */
    public Builder meshId(String value) {
      this.meshId = value.isEmpty() ? "" : token("meshId", value, "the mesh id, e.g. mesh1");
      return this;
    }

    /** {@code serviceAccount} (default: the name). */
    public Builder serviceAccount(String value) {
      this.serviceAccount = dnsLabel("serviceAccount", value);
      return this;
    }

    /** {@code trustDomain} (default cluster.local). */
    public Builder trustDomain(String value) {
      if (value == null || !value.matches("[a-z0-9._-]+")) {
        throw problem("trustDomain", value + " (expected: a SPIFFE trust domain such as cluster.local)");
      }
      this.trustDomain = value;
      return this;
    }

    /** One of {@code labels}. */
    public Builder label(String key, String value) {
      if (key == null || key.isEmpty() || value == null) {
        throw problem("labels", key + "=" + value + " (expected: KEY=VALUE, e.g. istio=ingressgateway)");
      }
      labels.put(key, value);
      return this;
    }

    /** {@code locality.region}, {@code .zone}, {@code .subZone}. */
    public Builder locality(String region, String zone, String subZone) {
      this.locality = new Locality(region, zone, subZone);
      return this;
    }

    /** {@code podIp} (default 127.0.0.1; the launcher uses {@code $POD_IP} when set). */
    public Builder podIp(String value) {
      if (value == null || value.isEmpty() || value.contains("~")) {
        throw problem("podIp", value + " (expected: the gateway's IP address, without '~')");
      }
      this.podIp = value;
      return this;
    }

    /** {@code xds.address}: required. */
    public Builder xdsAddress(String host, int port) {
      this.xdsHost = host("xds.address", host);
      this.xdsPort = port("xds.address", port, false);
      return this;
    }

    /** {@code xds.protocol}: delta (default) or sotw. */
    public Builder protocol(AdsClient.Protocol value) {
      this.protocol = Objects.requireNonNull(value, "protocol");
      return this;
    }

    /** {@code xds.caCertFile}: the mesh root; turns on mTLS and the CA. */
    public Builder caCertFile(Path value) {
      this.caCertFile = Objects.requireNonNull(value, "caCertFile");
      return this;
    }

    /** {@code xds.tokenFile}: proves the identity for the first certificate. */
    public Builder tokenFile(Path value) {
      this.tokenFile = Objects.requireNonNull(value, "tokenFile");
      return this;
    }

    /** A bootstrap or service-account token given directly (in-JVM callers); never printed. */
    public Builder token(String value) {
      if (value == null || value.isBlank()) {
        throw problem("xds.token", "(empty) (expected: the token the control plane issued for this gateway)");
      }
      this.token = value;
      return this;
    }

    /** {@code ports.bindHost}: where health and metrics listen (default 0.0.0.0). */
    public Builder bindHost(String value) {
      this.bindHost = host("ports.bindHost", value);
      return this;
    }

    /** {@code ports.health} (default 15021; 0: any free port). */
    public Builder healthPort(int value) {
      this.health = port("ports.health", value, true);
      return this;
    }

    /** {@code ports.metrics} (default 15090; 0: any free port). */
    public Builder metricsPort(int value) {
      this.metrics = port("ports.metrics", value, true);
      return this;
    }

    /** {@code ports.admin} (default 127.0.0.1:15000; port 0: any free port). */
    public Builder admin(String host, int port) {
      this.adminHost = host("ports.admin", host);
      this.admin = port("ports.admin", port, true);
      return this;
    }

    /** {@code listenerHost}: bind every xDS listener on this host, at its xDS port. */
    public Builder listenerHost(String value) {
      this.listenerHost = host("listenerHost", value);
      return this;
    }

    /** One of {@code listeners}: bind the xDS listener {@code name} ({@code 0.0.0.0_8080}) here instead. */
    public Builder listener(String name, String host, int port) {
      if (name == null || name.isEmpty()) {
        throw problem("listeners", name + " (expected: an xDS listener name such as 0.0.0.0_8080)");
      }
      listeners.put(name, new InetSocketAddress(host("listeners." + name, host),
          port("listeners." + name, port, true)));
      return this;
    }

    /** {@code drainTimeout} (default 30s). */
    public Builder drainTimeout(Duration value) {
      if (value == null || value.isNegative()) {
        throw problem("drainTimeout", value + " (expected: a duration >= 0, e.g. 30s)");
      }
      this.drainTimeout = value;
      return this;
    }

    /**
     * {@code accessLog.path}, {@code .filter}, {@code .sampling}: path empty = no lines (default); filter in
     * docs/diagnostics.md's expression language, empty = all; sampling 0.0 to 1.0.
     */
    public Builder accessLog(String path, String filter, double sampling) {
      if (path == null || path.contains("\0")) {
        throw problem("accessLog.path", path + " (expected: a file path, /dev/stdout, or empty for none)");
      }
      if (!(sampling >= 0.0 && sampling <= 1.0)) {
        throw problem("accessLog.sampling", sampling + " (expected: 0.0 to 1.0)");
      }
      AccessLogFilter compiled;
      try {
        compiled = AccessLogFilter.parse(filter == null ? "" : filter);
      } catch (IllegalArgumentException e) {
        throw problem("accessLog.filter", filter + ": " + e.getMessage()
            + " (expected: an expression such as response.code >= 400, docs/diagnostics.md)");
      }
      this.accessLog = new AccessLog(path, compiled, sampling);
      return this;
    }

    /** {@code transport}: {@code auto} (default), {@code epoll} or {@code nio}. */
    public Builder transport(String value) {
      try {
        this.transport = IoTransport.fromSetting(value);
      } catch (IllegalArgumentException e) {
        throw problem("transport", value + " (expected: auto, epoll or nio)");
      }
      return this;
    }

    /** The settings; fails naming the first required key that is missing or inconsistent. */
    public GatewaySettings build() {
      if (clusterId == null) {
        throw problem("clusterId", "not set (expected: the id of the cluster this gateway runs in; --cluster-id)");
      }
      if (xdsHost == null) {
        throw problem("xds.address", "not set (expected: the control plane's host:port, 15012 with "
            + "xds.caCertFile for mTLS, or 15010 plaintext; --xds-address)");
      }
      if (caCertFile == null && (tokenFile != null || token != null)) {
        throw problem("xds.tokenFile", "set without xds.caCertFile (expected: xds.caCertFile too, the mesh root "
            + "the control plane's :15012 certificate chains to; a token is only used for the CA over mTLS)");
      }
      if (caCertFile != null && tokenFile == null && token == null) {
        throw problem("xds.tokenFile", "not set (expected: the token proving this gateway's identity to the CA for "
            + "its first certificate: a service-account token with audience meshfed-ca, or a bootstrap token)");
      }
      return new GatewaySettings(role, name, podName == null ? name : podName, namespace, clusterId, network, meshId,
          serviceAccount == null ? name : serviceAccount, trustDomain, labels, locality, podIp,
          new Xds(xdsHost, xdsPort, protocol, Optional.ofNullable(caCertFile), Optional.ofNullable(tokenFile),
              Optional.ofNullable(token)),
          new Ports(bindHost, health, metrics, adminHost, admin), Optional.ofNullable(listenerHost), listeners,
          drainTimeout, accessLog, transport);
    }

    private static GatewaySettingsException problem(String key, String text) {
      return new GatewaySettingsException(SOURCE, key, text);
    }

    private static String dnsLabel(String key, String value) {
      if (value == null || value.length() > 63 || !DNS_LABEL.matcher(value).matches()) {
        throw problem(key, value + " (expected: a DNS label: a-z, 0-9 and '-', at most 63 characters)");
      }
      return value;
    }

    private static String token(String key, String value, String expected) {
      if (value == null || !TOKEN.matcher(value).matches()) {
        throw problem(key, value + " (expected: " + expected + "; letters, digits, '.', '_', '-')");
      }
      return value;
    }

    private static String host(String key, String value) {
      if (value == null || value.isEmpty() || value.contains(" ")) {
        throw problem(key, value + " (expected: a host name or IP address)");
      }
      return value;
    }

    private static int port(String key, int value, boolean zeroAllowed) {
      if (value < (zeroAllowed ? 0 : 1) || value > 65535) {
        throw problem(key, value + " (expected: a port " + (zeroAllowed ? "0..65535, 0 for any free port"
            : "1..65535") + ")");
      }
      return value;
    }
  }
}
