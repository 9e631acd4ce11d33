package io.meshfed.control.plane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meshfed proxy-status}: like {@code istioctl proxy-status}, one line per connected gateway of every cluster
 * of the mesh: whether each xDS type it was last sent is SYNCED (ACKed), STALE (sent, not ACKed: in flight or
 * NACKed) or NOT SENT. It starts from one control plane's {@code /debug/clusterz} (the federation view, with the
 * admin URL each control plane advertises) and asks every control plane's {@code /debug/syncz}. Exit codes: 0
 * listed, 1 the starting control plane could not be asked.
 */
@Command(name = "proxy-status", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Show whether each gateway, in every cluster of the mesh, runs the config its control plane last "
        + "sent (SYNCED / STALE / NOT SENT per xDS type)."},
    footer = {"", "Examples:",
        "  meshfed proxy-status",
        "  meshfed proxy-status --control-plane http://127.0.1.1:15014 -o json",
        "  kubectl -n meshfed-system port-forward deploy/meshfed-control-plane 15014 & meshfed proxy-status",
        "", "Exit codes: 0 listed, 1 the control plane could not be asked."})
public final class ProxyStatusCommand implements Callable<Integer> {

  static final String[] TYPES = {"CDS", "LDS", "EDS", "RDS", "SDS"};

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--control-plane", paramLabel = "URL", defaultValue = "http://127.0.0.1:15014",
      description = "Admin URL of one control plane of the mesh (default: ${DEFAULT-VALUE}).")
  String controlPlane;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
      description = "table or json (default: ${DEFAULT-VALUE}).")
  String output;

  @Option(names = "--timeout-seconds", defaultValue = "5", description = "Per request (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Option(names = "--local", description = "Only the given control plane, not the whole federation.")
  boolean local;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!output.equals("table") && !output.equals("json")) {
      err.println("meshfed proxy-status: --output " + output + " (expected: table or json)");
      return 2;
    }
    AdminHttp http = new AdminHttp(Duration.ofSeconds(timeoutSeconds));
    Map<String, String> controlPlanes = new LinkedHashMap<>();
    Map<String, String> versions = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    try {
      JsonNode clusterz = http.get(controlPlane, "/debug/clusterz");
      String self = clusterz.path("clusterId").asText();
      controlPlanes.put(self, controlPlane);
      if (!local) {
        for (JsonNode cluster : clusterz.path("clusters")) {
          String id = cluster.path("clusterId").asText();
          versions.put(id, cluster.path("controlPlaneVersion").asText(""));
          String url = cluster.path("adminUrl").asText("");
          if (id.equals(self)) {
            continue;
          }
          if (url.isEmpty() || cluster.path("adminUrl").isNull()) {
            problems.add("cluster " + id + ": no control-plane admin URL known (" + cluster.path("health").asText()
                + "); its gateways are not listed");
          } else {
            controlPlanes.put(id, url);
          }
        }
      }
    } catch (IOException e) {
      // Not federated, or an older control plane: the one given still has its own gateways.
      try {
        JsonNode syncz = http.get(controlPlane, "/debug/syncz");
        controlPlanes.put(syncz.path("clusterId").asText("?"), controlPlane);
        problems.add("federation view unavailable (" + e.getMessage() + "): only this control plane's gateways");
      } catch (IOException unreachable) {
        err.println("meshfed proxy-status: cannot ask the control plane: " + unreachable.getMessage()
            + " (expected: its admin API, :15014; try kubectl port-forward)");
        return 1;
      }
    }
    ArrayNode proxies = AdminHttp.JSON.createArrayNode();
    for (Map.Entry<String, String> entry : controlPlanes.entrySet()) {
      try {
        JsonNode syncz = http.get(entry.getValue(), "/debug/syncz");
        for (JsonNode proxy : syncz.path("proxies")) {
          ObjectNode row = ((ObjectNode) proxy).deepCopy();
          row.put("controlPlane", entry.getKey());
          row.put("controlPlaneUrl", entry.getValue());
          row.put("controlPlaneVersion", versions.getOrDefault(entry.getKey(), ""));
          proxies.add(row);
        }
      } catch (IOException e) {
        problems.add("cluster " + entry.getKey() + ": " + e.getMessage());
      }
    }
    if (output.equals("json")) {
      ObjectNode document = AdminHttp.JSON.createObjectNode();
      document.set("proxies", proxies);
      ArrayNode unreachable = document.putArray("problems");
      problems.forEach(unreachable::add);
      out.println(document.toPrettyString());
      out.flush();
      return 0;
    }
    Table table = new Table("NAME", "CLUSTER", "ROLE", "CDS", "LDS", "EDS", "RDS", "SDS", "CONTROL PLANE",
        "VERSION");
    for (JsonNode proxy : proxies) {
      String[] cells = new String[10];
      cells[0] = proxy.path("name").asText();
      cells[1] = proxy.path("clusterId").asText();
      cells[2] = proxy.path("role").asText();
      for (int i = 0; i < TYPES.length; i++) {
        cells[3 + i] = state(proxy.path("types").path(TYPES[i]));
      }
      cells[8] = proxy.path("controlPlane").asText();
      cells[9] = proxy.path("controlPlaneVersion").asText();
      table.row(cells);
    }
    if (table.isEmpty()) {
      out.println("No gateway is connected to " + String.join(", ", controlPlanes.keySet()) + ".");
    } else {
      table.print(out);
    }
    problems.forEach(p -> err.println("warning: " + p));
    out.flush();
    err.flush();
    return 0;
  }

  /** SYNCED / STALE / NOT SENT, with the NACK's reason after a STALE that was rejected. */
  static String state(JsonNode type) {
    String state = type.path("state").asText("NOT SENT");
    JsonNode nack = type.path("lastNack");
    if (state.equals("STALE") && !nack.isMissingNode()
        && nack.path("version").asText().equals(type.path("sentVersion").asText())) {
      return "STALE (NACK: " + abbreviate(nack.path("message").asText()) + ")";
    }
    return state;
  }

  private static String abbreviate(String text) {
    return text.length() > 60 ? text.substring(0, 57) + "..." : text;
  }
}
