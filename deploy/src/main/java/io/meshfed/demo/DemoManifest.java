package io.meshfed.demo;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * {@code <dir>/demo.json}: where everything of a running demo is, so scripts and tests need not parse logs.
 * <pre>
 * {"meshId": "meshfed-demo", "dir": "...", "ingressUrl": "http://127.0.1.1:8080",
 *  "clusters": [{"name": "east", "network": "network-east", "ingressUrl": "http://127.0.1.1:8080",
 *    "eastWestAddress": "127.0.1.2:15443", "controlPlaneAdminUrl": "http://127.0.1.3:15014",
 *    "xdsAddress": "127.0.1.3:15012", "configDir": "...", "controlPlaneConfig": ".../control-plane.yaml",
 *    "gatewayAdminUrls": {"eastwest": "http://127.0.1.2:15000", "ingress": "http://127.0.1.1:15000"},
 *    "services": [{"name": "reviews", "namespace": "default", "host": "reviews.default.svc.cluster.local",
 *      "port": 9080, "path": "/reviews", "workloads": [{"servedBy": "east/reviews/v1", "address": "127.0.1.10:9080"}]}]}],
 *  "try": ["curl -s http://127.0.1.1:8080/reviews", ...]}
 * </pre>
 * Written when the demo is ready (atomically: readers never see half a file), deleted when it stops.
 */
final class DemoManifest {

  static final String FILE_NAME = "demo.json";
  /** The gateways' admin servers for {@code meshfed explain --from}. */
  static final String ADMINS_FILE = "admin.json";

  private DemoManifest() {
  }

  static JsonObject of(DemoSettings settings, List<DemoCluster> clusters, List<String> commands) {
    JsonArray array = new JsonArray();
    for (DemoCluster cluster : clusters) {
      JsonArray services = new JsonArray();
      for (String service : cluster.services()) {
        JsonArray workloads = new JsonArray();
        cluster.workloads().stream().filter(w -> w.service().equals(service)).forEach(w -> workloads.add(
            new JsonObject().put("servedBy", w.servedBy()).put("version", w.version())
                .put("address", cluster.workloadHost(w) + ":" + DemoCluster.SERVICE_PORT)));
        services.add(new JsonObject()
            .put("name", service)
            .put("namespace", DemoSettings.NAMESPACE)
            .put("host", service + "." + DemoSettings.NAMESPACE + ".svc.cluster.local")
            .put("port", DemoCluster.SERVICE_PORT)
            .put("path", "/" + service)
            .put("workloads", workloads));
      }
      Path clusterDir = settings.dir().resolve(cluster.name());
      array.add(new JsonObject()
          .put("name", cluster.name())
          .put("network", cluster.network())
          .put("ingressUrl", cluster.ingressUrl())
          .put("eastWestAddress", cluster.eastWestAddress())
          .put("controlPlaneAdminUrl", cluster.adminUrl())
          .put("xdsAddress", cluster.controlPlaneHost() + ":" + DemoCluster.XDS_TLS_PORT)
          .put("configDir", ControlPlaneFile.configDir(clusterDir).toString())
          .put("controlPlaneConfig", clusterDir.resolve("control-plane.yaml").toString())
          .put("gatewayAdminUrls", new JsonObject()
              .put("eastwest", "http://" + cluster.eastWestHost() + ":" + DemoCluster.GATEWAY_ADMIN_PORT)
              .put("ingress", "http://" + cluster.ingressHost() + ":" + DemoCluster.GATEWAY_ADMIN_PORT))
          .put("services", services));
    }
    return new JsonObject()
        .put("meshId", settings.meshId())
        .put("dir", settings.dir().toString())
        .put("ingressUrl", clusters.get(0).ingressUrl())
        .put("clusters", array)
        .put("try", new JsonArray(commands));
  }

  /**
   * The gateways' admin servers per cluster and role, in the shape {@code meshfed explain --from FILE} reads
   * (docs/diagnostics.md): {@code {"clusters": {"east": {"ingress": URL, "eastwest": URL}}}}.
   */
  static JsonObject admins(List<DemoCluster> clusters) {
    JsonObject byCluster = new JsonObject();
    for (DemoCluster cluster : clusters) {
      byCluster.put(cluster.name(), new JsonObject()
          .put("ingress", "http://" + cluster.ingressHost() + ":" + DemoCluster.GATEWAY_ADMIN_PORT)
          .put("eastwest", "http://" + cluster.eastWestHost() + ":" + DemoCluster.GATEWAY_ADMIN_PORT));
    }
    return new JsonObject().put("clusters", byCluster);
  }

  /** Writes {@code json} to {@code <dir>/demo.json} atomically. Blocking. */
  static Path write(Path dir, JsonObject json) throws IOException {
    return write(dir, FILE_NAME, json);
  }

  /** Writes {@code json} to {@code <dir>/<name>} atomically. Blocking. */
  static Path write(Path dir, String name, JsonObject json) throws IOException {
    Path file = dir.resolve(name);
    Path temporary = dir.resolve("." + name + ".tmp");
    Files.writeString(temporary, json.encodePrettily() + "\n", StandardCharsets.UTF_8);
    Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return file;
  }
}
