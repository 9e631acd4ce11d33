package io.meshfed.control.plane.translate;

import java.util.Map;
import java.util.stream.Collectors;

/** Kubernetes objects as YAML for test configs: Services, and their pods with an EndpointSlice. */
final class Kube {

  private Kube() {
  }

  /** A Service selecting {@code app: <name>}; ports as {@code name:port} or {@code name:port:targetPort}. */
  static String service(String namespace, String name, String... ports) {
    StringBuilder yaml = new StringBuilder("""
        apiVersion: v1
        kind: Service
        metadata:
          name: %s
          namespace: %s
        spec:
          selector:
            app: %s
          ports:
        """.formatted(name, namespace, name));
    for (String port : ports) {
      String[] p = port.split(":");
      yaml.append("  - name: ").append(p[0]).append("\n    port: ").append(p[1]).append("\n    targetPort: ")
          .append(p.length > 2 ? p[2] : p[1]).append('\n');
    }
    return yaml.append("---\n").toString();
  }

  static String export(String namespace, String name) {
    return """
        apiVersion: multicluster.x-k8s.io/v1alpha1
        kind: ServiceExport
        metadata:
          name: %s
          namespace: %s
        ---
        """.formatted(name, namespace);
  }

  /**
   * A pod with labels ({@code app} included) and the EndpointSlice entry for it.
   *
   * @param pods {@code podName/ip/label=value,label=value}
   */
  static String endpoints(String namespace, String service, String portName, int port, String... pods) {
    return slice(namespace, service, service + "-slice", portName, port, pods);
  }

  /** As {@link #endpoints}, in an EndpointSlice of the given name (a service may have several). */
  static String slice(String namespace, String service, String sliceName, String portName, int port,
      String... pods) {
    StringBuilder yaml = new StringBuilder();
    StringBuilder slice = new StringBuilder("""
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: %s
          namespace: %s
          labels:
            kubernetes.io/service-name: %s
        addressType: IPv4
        ports:
        - name: %s
          port: %d
          protocol: TCP
        endpoints:
        """.formatted(sliceName, namespace, service, portName, port));
    for (String pod : pods) {
      String[] f = pod.split("/", 3);
      Map<String, String> labels = new java.util.TreeMap<>();
      labels.put("app", service);
      if (f.length > 2 && !f[2].isEmpty()) {
        for (String kv : f[2].split(",")) {
          String[] e = kv.split("=", 2);
          labels.put(e[0], e[1]);
        }
      }
      yaml.append("""
          apiVersion: v1
          kind: Pod
          metadata:
            name: %s
            namespace: %s
            labels:
          %s
          ---
          """.formatted(f[0], namespace, labels.entrySet().stream()
          .map(e -> "    " + e.getKey() + ": \"" + e.getValue() + "\"").collect(Collectors.joining("\n"))));
      slice.append("""
          - addresses: ["%s"]
            conditions:
              ready: true
            targetRef:
              kind: Pod
              name: %s
              namespace: %s
          """.formatted(f[1], f[0], namespace));
    }
    return yaml.append(slice).append("---\n").toString();
  }
}
