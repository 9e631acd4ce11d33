package io.meshfed.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What {@code meshfed demo} starts: how many clusters, where its data goes, the ingress port and the first loopback
 * subnet. Build with {@link #builder(Path)}; each argument is checked as it arrives.
 *
 * @param clusters how many clusters (named east, west, north, south, cluster-5 ... cluster-9)
 * @param dir the data directory (CA, per-cluster config and data, {@code demo.json})
 * @param ingressPort every cluster's ingress gateway HTTP port (on the cluster's own address)
 * @param firstSubnet cluster {@code i} lives on {@code 127.0.<firstSubnet + i>.0/24}
 * @param meshId the federation's mesh id (the Hazelcast cluster name)
 * @param workloadCertTtl the lifetime of the certificates the control planes' CAs issue ({@code ca.workloadCertTtl}):
 *     every gateway renews its SVID at about half of it
 */
public record DemoSettings(int clusters, Path dir, int ingressPort, int firstSubnet, String meshId,
    Duration workloadCertTtl) {

  /** The names of the clusters, in order: the first {@code --clusters} of them run. */
  public static final List<String> CLUSTER_NAMES = List.of("east", "west", "north", "south", "cluster-5",
      "cluster-6", "cluster-7", "cluster-8", "cluster-9");
  public static final int MIN_CLUSTERS = 2;
  public static final int DEFAULT_CLUSTERS = 2;
  /** Istio's default workload certificate lifetime. */
  public static final Duration DEFAULT_WORKLOAD_CERT_TTL = Duration.ofHours(24);
  /** The shortest {@code ca.workloadCertTtl} the control plane accepts (docs/configuration.md). */
  public static final Duration MIN_WORKLOAD_CERT_TTL = Duration.ofSeconds(30);
  public static final int DEFAULT_INGRESS_PORT = 8080;
  public static final int DEFAULT_FIRST_SUBNET = 1;
  public static final String DEFAULT_MESH_ID = "meshfed-demo";
  /** The service only the cluster named {@code west} runs (the cross-cluster call). */
  public static final String WEST_ONLY_SERVICE = "ratings";
  /** The service every cluster runs, in versions v1 and v2 (the weighted route). */
  public static final String SHARED_SERVICE = "reviews";
  public static final String NAMESPACE = "default";

  public DemoSettings {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(meshId, "meshId");
    Objects.requireNonNull(workloadCertTtl, "workloadCertTtl");
  }

  public static Builder builder(Path dir) {
    return new Builder(dir);
  }

  /** The clusters with their addresses and sample workloads. */
  public List<DemoCluster> topology() {
    List<DemoCluster> out = new ArrayList<>();
    for (int i = 0; i < clusters; i++) {
      String name = CLUSTER_NAMES.get(i);
      List<SampleWorkload> workloads = new ArrayList<>();
      workloads.add(new SampleWorkload(name, SHARED_SERVICE, "v1"));
      workloads.add(new SampleWorkload(name, SHARED_SERVICE, "v2"));
      if (name.equals("west")) {
        workloads.add(new SampleWorkload(name, WEST_ONLY_SERVICE, "v1"));
      }
      out.add(new DemoCluster(name, firstSubnet + i, ingressPort, workloads));
    }
    return List.copyOf(out);
  }

  /** Validates as arguments arrive: {@code name: value (expected: ...)}. */
  public static final class Builder {
    private final Path dir;
    private int clusters = DEFAULT_CLUSTERS;
    private int ingressPort = DEFAULT_INGRESS_PORT;
    private int firstSubnet = DEFAULT_FIRST_SUBNET;
    private String meshId;
    private Duration workloadCertTtl = DEFAULT_WORKLOAD_CERT_TTL;

    private Builder(Path dir) {
      this.dir = Objects.requireNonNull(dir, "dir");
    }

    /**
     * How many clusters, {@value #MIN_CLUSTERS} to 9: east, west, north, south, then cluster-5 ... cluster-9, on
     * consecutive loopback subnets from {@link #firstSubnet}.
     */
    public Builder clusters(int value) {
      if (value < MIN_CLUSTERS || value > CLUSTER_NAMES.size()) {
        throw new IllegalArgumentException("--clusters: " + value + " (expected: " + MIN_CLUSTERS + ".."
            + CLUSTER_NAMES.size() + "; a federation needs two clusters, and each cluster takes one loopback /24)");
      }
      this.clusters = value;
      return this;
    }

    /**
     * The workload certificate lifetime the control planes' CAs issue (default 24 h, at least 30 s): a short one
     * shows, or tests, the gateways renewing their SVIDs while traffic flows.
     */
    public Builder workloadCertTtl(Duration value) {
      if (value == null || value.compareTo(MIN_WORKLOAD_CERT_TTL) < 0) {
        throw new IllegalArgumentException("--workload-cert-ttl: " + (value == null ? null
            : io.meshfed.control.plane.istio.Durations.format(value)) + " (expected: at least "
            + MIN_WORKLOAD_CERT_TTL.toSeconds() + "s, e.g. 24h or 1m)");
      }
      this.workloadCertTtl = value;
      return this;
    }

    public Builder ingressPort(int value) {
      if (value < 1 || value > 65535 || value == 80 || value == 443 || value == DemoCluster.EASTWEST_PORT
          || (value >= 15000 && value <= 15099)) {
        throw new IllegalArgumentException("--ingress-port: " + value + " (expected: 1..65535, not 80/443, which "
            + "Istio's ingress maps to 8080/8443, and not 15000..15099, which the gateways use)");
      }
      this.ingressPort = value;
      return this;
    }

    public Builder firstSubnet(int value) {
      if (value < 1 || value > 250) {
        throw new IllegalArgumentException("--first-subnet: " + value + " (expected: 1..250; cluster i uses "
            + "127.0.<first-subnet + i>.0/24)");
      }
      this.firstSubnet = value;
      return this;
    }

    public Builder meshId(String value) {
      if (value == null || !value.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
        throw new IllegalArgumentException("meshId: " + value + " (expected: a DNS label)");
      }
      this.meshId = value;
      return this;
    }

    public DemoSettings build() {
      if (firstSubnet + clusters - 1 > 254) {
        throw new IllegalArgumentException("--first-subnet: " + firstSubnet + " (expected: at most "
            + (255 - clusters) + " with --clusters " + clusters + ": cluster i uses 127.0.<first-subnet + i>.0/24)");
      }
      // The federation's virtual addresses derive from the mesh id and the cluster names (docs/federation.md): a demo
      // moved to other subnets, to run beside another one, needs its own mesh id, or both bind the same addresses.
      String mesh = meshId != null ? meshId
          : firstSubnet == DEFAULT_FIRST_SUBNET ? DEFAULT_MESH_ID : DEFAULT_MESH_ID + "-" + firstSubnet;
      return new DemoSettings(clusters, dir.toAbsolutePath().normalize(), ingressPort, firstSubnet, mesh,
          workloadCertTtl);
    }
  }
}
