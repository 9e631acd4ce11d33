package io.meshfed.demo;

import java.util.List;

/**
 * Where one simulated cluster of the demo lives: its own loopback subnet {@code 127.0.<subnet>.0/24}, one address
 * per role, so every role can keep its Istio port (15443, 15010/15012/15014, 15000/15021/15090) without clashing
 * with the other clusters. Linux routes all of 127.0.0.0/8 to the loopback interface, so no root is needed.
 *
 * @param name the cluster id ({@code east}, {@code west})
 * @param subnet the third octet of its addresses
 * @param ingressPort the ingress gateway's HTTP port (the Istio Gateway server port)
 * @param workloads the sample workloads this cluster runs
 */
public record DemoCluster(String name, int subnet, int ingressPort, List<SampleWorkload> workloads) {

  /** The Istio port of the east-west gateway (fixed by the translation, docs/xds-profile.md). */
  public static final int EASTWEST_PORT = 15443;
  /** The port every sample service listens on (bookinfo's). */
  public static final int SERVICE_PORT = 9080;
  public static final int XDS_PORT = 15010;
  public static final int XDS_TLS_PORT = 15012;
  public static final int ADMIN_PORT = 15014;
  public static final int GATEWAY_ADMIN_PORT = 15000;
  public static final int GATEWAY_HEALTH_PORT = 15021;
  public static final int GATEWAY_METRICS_PORT = 15090;
  private static final int FIRST_WORKLOAD_HOST = 10;

  public DemoCluster {
    workloads = List.copyOf(workloads);
    if (subnet < 1 || subnet > 254) {
      throw new IllegalArgumentException("subnet: " + subnet + " (expected: 1..254)");
    }
    if (workloads.size() > 244) {
      throw new IllegalArgumentException("workloads: " + workloads.size() + " (expected: at most 244)");
    }
  }

  private String host(int last) {
    return "127.0." + subnet + "." + last;
  }

  /** The ingress gateway's address (what clients call). */
  public String ingressHost() {
    return host(1);
  }

  /** The east-west gateway's address (what other clusters' gateways call on :15443). */
  public String eastWestHost() {
    return host(2);
  }

  /** The control plane's address (xDS, CA, admin). */
  public String controlPlaneHost() {
    return host(3);
  }

  /** The address of a sample workload: one "pod IP" each. */
  public String workloadHost(SampleWorkload workload) {
    int index = workloads.indexOf(workload);
    if (index < 0) {
      throw new IllegalArgumentException("workload: " + workload.servedBy() + " (expected: one of cluster " + name
          + ")");
    }
    return host(FIRST_WORKLOAD_HOST + index);
  }

  /** {@code network-<name>}: each demo cluster is its own network, so traffic between them uses the gateways. */
  public String network() {
    return "network-" + name;
  }

  public String ingressUrl() {
    return "http://" + ingressHost() + ":" + ingressPort;
  }

  public String eastWestAddress() {
    return eastWestHost() + ":" + EASTWEST_PORT;
  }

  public String adminUrl() {
    return "http://" + controlPlaneHost() + ":" + ADMIN_PORT;
  }

  /** The services this cluster runs, in first-seen order. */
  public List<String> services() {
    return workloads.stream().map(SampleWorkload::service).distinct().toList();
  }
}
