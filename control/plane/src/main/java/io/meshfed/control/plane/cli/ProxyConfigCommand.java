package io.meshfed.control.plane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code meshfed proxy-config <gateway> listeners|routes|clusters|endpoints|secrets}: the effective config a gateway
 * runs, from its admin {@code /config_dump} (Envoy's format), as a table or JSON, like {@code istioctl proxy-config}.
 * The gateway's admin is given with {@code --admin}; without it, the gateway is looked up through the control plane:
 * its admin on the stream's peer address (port {@code --admin-port}), and if that cannot be reached, the control
 * plane's {@code /debug/config_dump} (what it sends, said so on stderr). Secrets are shown without private keys.
 */
@Command(name = "proxy-config", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Show the config a gateway is running: listeners, routes, clusters, endpoints or secrets."},
    footer = {"", "Examples:",
        "  meshfed proxy-config meshfed-ingressgateway-7d9.meshfed-system clusters --admin http://127.0.0.1:15000",
        "  meshfed proxy-config meshfed-ingressgateway-7d9.meshfed-system routes -o json",
        "", "Exit codes: 0 shown, 1 the config could not be read, 2 usage error."})
public final class ProxyConfigCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "GATEWAY", description = "<pod>.<namespace> as proxy-status lists it.")
  String gateway;

  @Parameters(index = "1", paramLabel = "KIND", description = "listeners, routes, clusters, endpoints or secrets.")
  String kind;

  @Option(names = "--admin", paramLabel = "URL", description = "The gateway's admin URL (its :15000).")
  String admin;

  @Option(names = "--control-plane", paramLabel = "URL", defaultValue = "http://127.0.0.1:15014",
      description = "Control-plane admin URL to find the gateway (default: ${DEFAULT-VALUE}).")
  String controlPlane;

  @Option(names = "--admin-port", defaultValue = "15000", description = "The gateways' admin port (default: "
      + "${DEFAULT-VALUE}).")
  int adminPort;

  @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json (default: "
      + "${DEFAULT-VALUE}).")
  String output;

  @Option(names = "--timeout-seconds", defaultValue = "5", description = "Per request (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ConfigDumpTables.Kind which;
    try {
      which = ConfigDumpTables.Kind.valueOf(kind.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      err.println("meshfed proxy-config: " + kind + " (expected: listeners, routes, clusters, endpoints or secrets)");
      return 2;
    }
    if (!output.equals("table") && !output.equals("json")) {
      err.println("meshfed proxy-config: --output " + output + " (expected: table or json)");
      return 2;
    }
    AdminHttp http = new AdminHttp(Duration.ofSeconds(timeoutSeconds));
    JsonNode dump;
    try {
      dump = admin != null ? http.get(admin, "/config_dump") : resolve(http, err);
    } catch (IOException e) {
      err.println("meshfed proxy-config: " + e.getMessage());
      return 1;
    }
    ArrayNode entries = ConfigDumpTables.entries(dump, which);
    if (output.equals("json")) {
      out.println(entries.toPrettyString());
    } else {
      Table table = ConfigDumpTables.table(entries, which);
      if (table.isEmpty()) {
        out.println("No " + which.name().toLowerCase(Locale.ROOT) + " in the config of " + gateway + ".");
      } else {
        table.print(out);
      }
    }
    out.flush();
    err.flush();
    return 0;
  }

  /** The gateway's own dump through its peer address, else the control plane's view of it. */
  private JsonNode resolve(AdminHttp http, PrintWriter err) throws IOException {
    JsonNode syncz = http.get(controlPlane, "/debug/syncz");
    for (JsonNode proxy : syncz.path("proxies")) {
      if (proxy.path("name").asText().equals(gateway) || proxy.path("nodeId").asText().equals(gateway)) {
        String peer = proxy.path("peer").asText();
        String host = peer.contains(":") ? peer.substring(0, peer.lastIndexOf(':')) : peer;
        String url = "http://" + host + ":" + adminPort;
        try {
          return http.get(url, "/config_dump");
        } catch (IOException unreachable) {
          err.println("warning: the gateway's admin " + url + " cannot be reached (" + unreachable.getMessage()
              + "); showing what the control plane sends it instead (use --admin, e.g. through kubectl "
              + "port-forward, to see what it runs)");
          return http.get(controlPlane, "/debug/config_dump?gateway="
              + URLEncoder.encode(gateway, StandardCharsets.UTF_8));
        }
      }
    }
    throw new IOException("gateway " + gateway + " is not connected to " + controlPlane
        + " (expected: a NAME from meshfed proxy-status, or --admin URL)");
  }
}
