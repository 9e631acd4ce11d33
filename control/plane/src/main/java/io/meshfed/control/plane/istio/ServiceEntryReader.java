package io.meshfed.control.plane.istio;

import static io.meshfed.control.plane.istio.MessageType.UNSUPPORTED_FIELD;

import io.meshfed.control.plane.istio.ServiceEntry.Location;
import io.meshfed.control.plane.istio.ServiceEntry.Resolution;
import io.meshfed.control.plane.istio.ServiceEntry.ServicePort;
import io.meshfed.control.plane.istio.ServiceEntry.WorkloadEntry;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads and validates a ServiceEntry spec, following Istio's validation rules. */
final class ServiceEntryReader {

  private static final Pattern IP_ADDRESS = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*");

  ServiceEntry read(FieldReader spec, ResourceMeta meta) {
    List<String> hosts = spec.stringList("hosts");
    if (hosts.isEmpty()) {
      spec.missing("hosts", "at least one host");
    }
    for (int i = 0; i < hosts.size(); i++) {
      if (hosts.get(i).equals("*")) {
        spec.invalid("hosts[" + i + "]", new ScalarValue("*", spec.position()), "a host; * is not allowed",
            "name the external host");
      } else {
        CommonReaders.host(spec, "hosts[" + i + "]", hosts.get(i));
      }
    }
    List<String> addresses = spec.stringList("addresses");
    List<ServicePort> ports = spec.list("ports", p -> {
      Optional<Integer> number = p.port("number");
      String name = p.requiredString("name");
      Gateway.Protocol protocol = p.string("protocol").flatMap(text -> {
        Optional<Gateway.Protocol> parsed = Gateway.Protocol.parse(text);
        if (parsed.isEmpty()) {
          p.invalid("protocol", new ScalarValue(text, p.position()),
              "one of HTTP, HTTPS, HTTP2, GRPC, GRPC-WEB, TCP, TLS, MONGO, MYSQL, REDIS", "use one of them");
        }
        return parsed;
      }).orElse(Gateway.Protocol.TCP);
      Optional<Integer> target = p.port("targetPort");
      if (number.isEmpty() && !p.has("number")) {
        p.missing("number", "a port number");
      }
      return number.map(n -> new ServicePort(n, protocol, name, target)).orElse(null);
    });
    Set<String> portNames = new HashSet<>();
    Set<Integer> portNumbers = new HashSet<>();
    for (ServicePort port : ports) {
      if (!portNames.add(port.name()) || !portNumbers.add(port.number())) {
        spec.invalidHere("port " + port.number() + " (" + port.name() + ") defined twice (expected: unique ports)",
            "remove the duplicate port");
      }
    }
    Location location = spec.enumValue("location", Location.class).orElse(Location.MESH_EXTERNAL);
    Resolution resolution;
    if (spec.string("resolution").filter(r -> r.equals("DNS_ROUND_ROBIN") || r.equals("DYNAMIC_DNS")).isPresent()) {
      spec.unsupportedValue("resolution", "meshfed implements NONE, STATIC and DNS",
          "use resolution: DNS (every resolved address is an endpoint)");
      resolution = Resolution.DNS;
    } else {
      resolution = spec.enumValue("resolution", Resolution.class).orElse(Resolution.NONE);
    }
    List<WorkloadEntry> endpoints = spec.list("endpoints", e -> endpoint(e, portNames, resolution));
    spec.unsupported("workloadSelector", UNSUPPORTED_FIELD, "selecting WorkloadEntries is not implemented; "
        + "list endpoints instead");
    List<String> exportTo = CommonReaders.exportTo(spec, true);
    List<String> sans = spec.stringList("subjectAltNames");
    if (resolution == Resolution.NONE && !endpoints.isEmpty()) {
      spec.invalidHere("endpoints with resolution NONE (expected: STATIC or DNS when endpoints are listed)",
          "set resolution: STATIC");
    }
    if (resolution == Resolution.STATIC && endpoints.isEmpty()) {
      spec.invalidHere("resolution STATIC without endpoints (expected: at least one endpoint)", "list endpoints");
    }
    if (resolution == Resolution.DNS && endpoints.isEmpty()) {
      for (String host : hosts) {
        if (host.startsWith("*")) {
          spec.invalidHere("wildcard host " + host + " with resolution DNS and no endpoints (expected: FQDN hosts)",
              "list endpoints or use exact hosts");
        }
      }
    }
    if (resolution != Resolution.NONE && hosts.size() > 1
        && ports.stream().anyMatch(p -> !p.protocol().isHttp() && !p.protocol().isTls())) {
      spec.invalidHere("several hosts with a non-HTTP, non-TLS port (expected: one host, or resolution NONE)",
          "split the ServiceEntry per host");
    }
    return new ServiceEntry(meta, hosts, addresses, ports, location, resolution, endpoints, exportTo, sans);
  }

  private static WorkloadEntry endpoint(FieldReader e, Set<String> portNames, Resolution resolution) {
    String address = e.requiredString("address");
    if (resolution == Resolution.STATIC && !address.isEmpty() && !IP_ADDRESS.matcher(address).matches()
        && !address.startsWith("unix://")) {
      e.invalid("address", new ScalarValue(address, e.position()), "an IP address for resolution STATIC",
          "use resolution DNS for host names");
    }
    Map<String, Integer> ports = new LinkedHashMap<>();
    e.objectValue("ports").ifPresent(map -> map.fields().forEach((name, value) -> {
      if (value instanceof ScalarValue s && s.value() instanceof Long port && port >= 1 && port <= 65535) {
        ports.put(name, port.intValue());
        if (!portNames.contains(name)) {
          e.invalid("ports." + name, value, "a port name the ServiceEntry defines " + portNames, "fix the name");
        }
      } else {
        e.invalid("ports." + name, value, "a port number 1..65535", "fix the port");
      }
    }));
    Map<String, String> labels = e.stringMap("labels");
    Optional<String> network = e.string("network");
    Optional<String> locality = e.string("locality");
    Optional<Integer> weight = e.integer("weight", 0, Integer.MAX_VALUE).map(Long::intValue);
    Optional<String> serviceAccount = e.string("serviceAccount");
    return new WorkloadEntry(address, ports, labels, network, locality, weight, serviceAccount);
  }
}
