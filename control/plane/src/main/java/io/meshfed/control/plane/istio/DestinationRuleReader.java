package io.meshfed.control.plane.istio;

import static io.meshfed.control.plane.istio.MessageType.IGNORED_FIELD;
import static io.meshfed.control.plane.istio.MessageType.UNSUPPORTED_FIELD;

import io.meshfed.control.plane.istio.DestinationRule.ClientTls;
import io.meshfed.control.plane.istio.DestinationRule.ConnectionPool;
import io.meshfed.control.plane.istio.DestinationRule.ConsistentHash;
import io.meshfed.control.plane.istio.DestinationRule.Distribute;
import io.meshfed.control.plane.istio.DestinationRule.Failover;
import io.meshfed.control.plane.istio.DestinationRule.H2UpgradePolicy;
import io.meshfed.control.plane.istio.DestinationRule.HttpCookie;
import io.meshfed.control.plane.istio.DestinationRule.LoadBalancer;
import io.meshfed.control.plane.istio.DestinationRule.LocalityLb;
import io.meshfed.control.plane.istio.DestinationRule.OutlierDetection;
import io.meshfed.control.plane.istio.DestinationRule.PortTrafficPolicy;
import io.meshfed.control.plane.istio.DestinationRule.SimpleLb;
import io.meshfed.control.plane.istio.DestinationRule.Subset;
import io.meshfed.control.plane.istio.DestinationRule.TlsMode;
import io.meshfed.control.plane.istio.DestinationRule.TrafficPolicy;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads and validates a DestinationRule spec, following Istio's validation rules. */
final class DestinationRuleReader {

  private final ReadContext context;

  DestinationRuleReader(ReadContext context) {
    this.context = context;
  }

  DestinationRule read(FieldReader spec, ResourceMeta meta) {
    String host = spec.requiredString("host");
    if (!host.isEmpty()) {
      CommonReaders.host(spec, "host", host);
    }
    Optional<TrafficPolicy> policy = spec.object("trafficPolicy", this::trafficPolicy);
    List<Subset> subsets = spec.list("subsets", this::subset);
    Set<String> names = new HashSet<>();
    for (Subset subset : subsets) {
      if (!names.add(subset.name())) {
        spec.invalidHere("duplicate subset \"" + subset.name() + "\" (expected: unique subset names)",
            "rename or remove one");
      }
    }
    spec.unsupported("workloadSelector", UNSUPPORTED_FIELD,
        "DestinationRules scoped to client workloads are a sidecar feature; meshfed gateways would ignore the scope");
    List<String> exportTo = CommonReaders.exportTo(spec, false);
    return new DestinationRule(meta, host, context.fqdn(host), policy, subsets, exportTo);
  }

  private Subset subset(FieldReader r) {
    String name = r.requiredString("name");
    if (!name.isEmpty()) {
      CommonReaders.dnsLabel(r, "name", name);
    }
    Map<String, String> labels = r.stringMap("labels");
    Optional<TrafficPolicy> policy = r.object("trafficPolicy", this::trafficPolicy);
    return new Subset(name, labels, policy);
  }

  private TrafficPolicy trafficPolicy(FieldReader r) {
    Optional<LoadBalancer> lb = r.object("loadBalancer", x -> loadBalancer(x, r.has("outlierDetection")));
    Optional<ConnectionPool> pool = r.object("connectionPool", this::connectionPool);
    Optional<OutlierDetection> outlier = r.object("outlierDetection", this::outlierDetection);
    Optional<ClientTls> tls = r.object("tls", this::clientTls);
    List<PortTrafficPolicy> ports = r.list("portLevelSettings", p -> {
      Optional<Integer> port = p.object("port", x -> x.port("number").orElse(null));
      if (port.isEmpty() && !p.has("port")) {
        p.missing("port", "port: {number: ...}");
      }
      Optional<LoadBalancer> portLb = p.object("loadBalancer", x -> loadBalancer(x, p.has("outlierDetection")));
      Optional<ConnectionPool> portPool = p.object("connectionPool", this::connectionPool);
      Optional<OutlierDetection> portOutlier = p.object("outlierDetection", this::outlierDetection);
      Optional<ClientTls> portTls = p.object("tls", this::clientTls);
      if (!p.has("loadBalancer") && !p.has("connectionPool") && !p.has("outlierDetection") && !p.has("tls")) {
        p.invalidHere("port traffic policy sets nothing (expected: at least one setting)", "add a setting");
      }
      return port.map(number -> new PortTrafficPolicy(number, portLb, portPool, portOutlier, portTls)).orElse(null);
    });
    r.unsupported("tunnel", UNSUPPORTED_FIELD, "tunnelling upstream connections is not implemented");
    r.unsupported("proxyProtocol", UNSUPPORTED_FIELD, "sending PROXY protocol upstream is not implemented");
    r.unsupported("retryBudget", IGNORED_FIELD, "retries are limited by connectionPool.http.maxRetries only");
    if (!r.has("loadBalancer") && !r.has("connectionPool") && !r.has("outlierDetection") && !r.has("tls")
        && !r.has("portLevelSettings") && !r.has("tunnel") && !r.has("proxyProtocol") && !r.has("retryBudget")) {
      r.invalidHere("traffic policy sets nothing (expected: at least one setting)", "add a setting or remove it");
    }
    return new TrafficPolicy(lb, pool, outlier, tls, ports);
  }

  private LoadBalancer loadBalancer(FieldReader r, boolean hasOutlierDetection) {
    Optional<String> simpleText = r.string("simple");
    Optional<SimpleLb> simple = simpleText.flatMap(text -> {
      if (text.equals("LEAST_CONN")) {
        r.deprecated("simple", "LEAST_REQUEST (LEAST_CONN is its deprecated alias)");
        return Optional.of(SimpleLb.LEAST_REQUEST);
      }
      return r.enumValue("simple", SimpleLb.class);
    });
    Optional<ConsistentHash> hash = r.object("consistentHash", this::consistentHash);
    if (r.has("simple") && r.has("consistentHash")) {
      r.invalidHere("both simple and consistentHash (expected: one of them)", "remove one");
    }
    Optional<LocalityLb> locality = r.object("localityLbSetting", x -> localityLb(x, hasOutlierDetection));
    r.unsupported("warmupDurationSecs", IGNORED_FIELD, "new endpoints get their full share of traffic at once");
    r.unsupported("warmup", IGNORED_FIELD, "new endpoints get their full share of traffic at once");
    return new LoadBalancer(simple, hash, locality);
  }

  private ConsistentHash consistentHash(FieldReader r) {
    Optional<String> header = r.string("httpHeaderName");
    Optional<HttpCookie> cookie = r.object("httpCookie", c -> {
      String name = c.requiredString("name");
      Optional<String> path = c.string("path");
      Optional<Duration> ttl = c.duration("ttl", Duration.ZERO);
      c.unsupported("attributes", IGNORED_FIELD, "generated cookies carry only path and max-age");
      return new HttpCookie(name, path, ttl);
    });
    boolean sourceIp = r.bool("useSourceIp").orElse(false);
    Optional<String> query = r.string("httpQueryParameterName");
    int keys = (header.isPresent() ? 1 : 0) + (r.has("httpCookie") ? 1 : 0) + (sourceIp ? 1 : 0)
        + (query.isPresent() ? 1 : 0);
    if (keys != 1) {
      r.invalidHere("consistent hash with " + keys + " hash keys (expected: exactly one of httpHeaderName, "
          + "httpCookie, useSourceIp, httpQueryParameterName)", "keep one hash key");
    }
    Optional<Long> ring = r.object("ringHash", x -> x.integer("minimumRingSize", 1, Long.MAX_VALUE).orElse(null));
    Optional<Long> legacyRing = r.integer("minimumRingSize", 1, Long.MAX_VALUE);
    r.deprecated("minimumRingSize", "ringHash: {minimumRingSize: ...}");
    Optional<Long> maglev = r.object("maglev", x -> {
      Optional<Long> size = x.integer("tableSize", 1, 5_000_010);
      size.filter(s -> !isPrime(s)).ifPresent(s -> x.invalid("tableSize", new ScalarValue(s, x.position()),
          "a prime number", "use a prime such as 65537"));
      if (size.isEmpty() && !x.has("tableSize")) {
        x.missing("tableSize", "a prime number");
      }
      return size.orElse(null);
    });
    if ((r.has("ringHash") ? 1 : 0) + (r.has("maglev") ? 1 : 0) + (legacyRing.isPresent() ? 1 : 0) > 1) {
      r.invalidHere("several hash algorithms (expected: one of ringHash, maglev, minimumRingSize)", "keep one");
    }
    return new ConsistentHash(header, cookie, sourceIp, query, ring.or(() -> legacyRing), maglev);
  }

  private static boolean isPrime(long n) {
    if (n < 2) {
      return false;
    }
    for (long f = 2; f * f <= n; f++) {
      if (n % f == 0) {
        return false;
      }
    }
    return true;
  }

  private LocalityLb localityLb(FieldReader r, boolean hasOutlierDetection) {
    Optional<Boolean> enabled = r.bool("enabled");
    List<Distribute> distribute = r.list("distribute", d -> {
      String from = d.requiredString("from");
      Map<String, Integer> to = new LinkedHashMap<>();
      d.objectValue("to").ifPresent(map -> map.fields().forEach((locality, weight) -> {
        if (weight instanceof ScalarValue s && s.value() instanceof Long w && w >= 0 && w <= 100) {
          to.put(locality, w.intValue());
        } else {
          d.invalid("to." + locality, weight, "a weight 0..100", "use an integer percentage");
        }
      }));
      int total = to.values().stream().mapToInt(Integer::intValue).sum();
      if (total != 100) {
        d.invalid("to", null, "weights summing to 100, not " + total, "adjust the weights to sum to 100");
      }
      return new Distribute(from, to);
    });
    List<Failover> failover = r.list("failover", f -> {
      String from = f.requiredString("from");
      String to = f.requiredString("to");
      if (!from.isEmpty() && from.equals(to)) {
        f.invalidHere("failover from " + from + " to itself (expected: two different regions)", "fix to");
      }
      if (from.contains("/") || to.contains("/")) {
        f.invalidHere("failover between " + from + " and " + to + " (expected: regions only, without zones)",
            "use region names only");
      }
      return new Failover(from, to);
    });
    List<String> priority = r.stringList("failoverPriority");
    if (!distribute.isEmpty() && (!failover.isEmpty() || !priority.isEmpty())) {
      r.invalidHere("both distribute and failover (expected: one of them)", "use distribute or failover");
    }
    if ((!failover.isEmpty() || !priority.isEmpty()) && !hasOutlierDetection) {
      r.warnHere("failover", "locality failover without outlierDetection never fails over (Istio needs outlier "
          + "detection to notice unhealthy endpoints)", "add outlierDetection to the same traffic policy");
    }
    return new LocalityLb(enabled, distribute, failover, priority);
  }

  private ConnectionPool connectionPool(FieldReader r) {
    Optional<DestinationRule.Tcp> tcp = r.object("tcp", t -> {
      Optional<Integer> max = t.integer("maxConnections", 0, Integer.MAX_VALUE).map(Long::intValue);
      Optional<Duration> connect = t.duration("connectTimeout");
      Optional<Duration> idle = t.duration("idleTimeout", Duration.ZERO);
      Optional<Duration> maxDuration = t.duration("maxConnectionDuration");
      t.unsupported("tcpKeepalive", IGNORED_FIELD, "the operating system's keep-alive settings apply");
      return new DestinationRule.Tcp(max, connect, idle, maxDuration);
    });
    Optional<DestinationRule.Http> http = r.object("http", h -> {
      Optional<Integer> pending = h.integer("http1MaxPendingRequests", 0, Integer.MAX_VALUE).map(Long::intValue);
      Optional<Integer> requests = h.integer("http2MaxRequests", 0, Integer.MAX_VALUE).map(Long::intValue);
      Optional<Integer> perConnection =
          h.integer("maxRequestsPerConnection", 0, Integer.MAX_VALUE).map(Long::intValue);
      Optional<Integer> retries = h.integer("maxRetries", 0, Integer.MAX_VALUE).map(Long::intValue);
      Optional<Duration> idle = h.duration("idleTimeout");
      H2UpgradePolicy upgrade = h.enumValue("h2UpgradePolicy", H2UpgradePolicy.class).orElse(H2UpgradePolicy.DEFAULT);
      boolean clientProtocol = h.bool("useClientProtocol").orElse(false);
      if (upgrade == H2UpgradePolicy.UPGRADE && clientProtocol) {
        h.invalidHere("useClientProtocol with h2UpgradePolicy UPGRADE (expected: one of them)", "remove one");
      }
      h.unsupported("maxConcurrentStreams", IGNORED_FIELD, "the HTTP/2 default of the upstream applies");
      return new DestinationRule.Http(pending, requests, perConnection, retries, idle, upgrade, clientProtocol);
    });
    if (!r.has("tcp") && !r.has("http")) {
      r.invalidHere("connection pool sets nothing (expected: tcp or http)", "add a setting or remove it");
    }
    return new ConnectionPool(tcp, http);
  }

  private OutlierDetection outlierDetection(FieldReader r) {
    Optional<Integer> fiveXx = r.integer("consecutive5xxErrors", 0, Integer.MAX_VALUE).map(Long::intValue);
    Optional<Integer> gateway = r.integer("consecutiveGatewayErrors", 0, Integer.MAX_VALUE).map(Long::intValue);
    Optional<Integer> legacy = r.integer("consecutiveErrors", 0, Integer.MAX_VALUE).map(Long::intValue);
    r.deprecated("consecutiveErrors", "consecutiveGatewayErrors or consecutive5xxErrors");
    if (gateway.isEmpty()) {
      gateway = legacy;
    }
    Duration interval = r.duration("interval").orElse(Duration.ofSeconds(10));
    Duration baseEjection = r.duration("baseEjectionTime").orElse(Duration.ofSeconds(30));
    int maxEjection = r.integer("maxEjectionPercent", 0, 100).orElse(10L).intValue();
    int minHealth = r.integer("minHealthPercent", 0, 100).orElse(0L).intValue();
    r.unsupported("consecutiveLocalOriginFailures", IGNORED_FIELD,
        "local-origin failures count together with upstream errors");
    r.unsupported("splitExternalLocalOriginErrors", IGNORED_FIELD,
        "local-origin failures count together with upstream errors");
    if (fiveXx.isEmpty() && gateway.isPresent()) {
      fiveXx = Optional.empty(); // Istio: only gateway errors count when just they are configured
    } else if (fiveXx.isEmpty()) {
      fiveXx = Optional.of(5);
    }
    return new OutlierDetection(fiveXx, gateway, interval, baseEjection, maxEjection, minHealth);
  }

  private ClientTls clientTls(FieldReader r) {
    TlsMode mode = r.enumValue("mode", TlsMode.class).orElse(TlsMode.DISABLE);
    Optional<String> cert = r.string("clientCertificate");
    Optional<String> key = r.string("privateKey");
    Optional<String> ca = r.string("caCertificates");
    Optional<String> credential = r.string("credentialName");
    List<String> sans = r.stringList("subjectAltNames");
    Optional<String> sni = r.string("sni");
    boolean skipVerify = r.bool("insecureSkipVerify").orElse(false);
    r.unsupported("caCrl", UNSUPPORTED_FIELD, "certificate revocation lists are not checked");
    if (mode == TlsMode.ISTIO_MUTUAL && (cert.isPresent() || key.isPresent() || ca.isPresent()
        || credential.isPresent())) {
      r.invalidHere("ISTIO_MUTUAL with certificates (expected: none; meshfed issues them)",
          "remove the certificate fields, or use MUTUAL");
    }
    if (mode == TlsMode.MUTUAL && credential.isEmpty() && (cert.isEmpty() || key.isEmpty())) {
      r.invalidHere("MUTUAL without a client certificate (expected: credentialName, or clientCertificate and "
          + "privateKey)", "set credentialName");
    }
    return new ClientTls(mode, cert, key, ca, credential, sans, sni, skipVerify);
  }
}
