package io.meshfed.control.client.metrics;

import java.util.Objects;

/**
 * One side of a request as Istio's {@code source_*} / {@code destination_*} labels describe it. Missing values are
 * {@code unknown}, as in Istio; the canonical service defaults to the app (else the workload name) and the canonical
 * revision to the version (else {@code latest}), Istio's own defaults.
 *
 * @param name the workload (Deployment) name
 * @param namespace the workload's namespace
 * @param principal the SPIFFE identity, {@code spiffe://<trust domain>/ns/<ns>/sa/<sa>}
 * @param app the {@code app} label
 * @param version the {@code version} label
 * @param canonicalService Istio's canonical service name
 * @param canonicalRevision Istio's canonical revision
 * @param cluster the cluster id
 */
public record Workload(String name, String namespace, String principal, String app, String version,
    String canonicalService, String canonicalRevision, String cluster) {

  /** The label value Istio uses for anything not known. */
  public static final String UNKNOWN_VALUE = "unknown";

  /** A workload nothing is known about. */
  public static final Workload UNKNOWN = builder().build();

  public Workload {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(canonicalService, "canonicalService");
    Objects.requireNonNull(canonicalRevision, "canonicalRevision");
    Objects.requireNonNull(cluster, "cluster");
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The workload an EDS endpoint's {@code istio} metadata names: {@code workload} is
   * {@code "<name>;<namespace>;<app>;<version>;<cluster>"} (docs/xds-profile.md); empty parts are unknown.
   *
   * @throws IllegalArgumentException when the value does not have five parts
   */
  public static Workload fromIstioMetadata(String workload, String principal) {
    String[] parts = workload.split(";", -1);
    if (parts.length != 5) {
      throw new IllegalArgumentException("istio.workload: \"" + workload
          + "\" (expected: <name>;<namespace>;<app>;<version>;<cluster>)");
    }
    return builder().name(parts[0]).namespace(parts[1]).app(parts[2]).version(parts[3]).cluster(parts[4])
        .principal(principal).build();
  }

  /** Builds a {@link Workload}; null or empty values stay unknown. */
  public static final class Builder {
    private String name = UNKNOWN_VALUE;
    private String namespace = UNKNOWN_VALUE;
    private String principal = UNKNOWN_VALUE;
    private String app = UNKNOWN_VALUE;
    private String version = UNKNOWN_VALUE;
    private String canonicalService;
    private String canonicalRevision;
    private String cluster = UNKNOWN_VALUE;

    private Builder() {
    }

    public Builder name(String name) {
      this.name = orUnknown(name);
      return this;
    }

    public Builder namespace(String namespace) {
      this.namespace = orUnknown(namespace);
      return this;
    }

    public Builder principal(String principal) {
      this.principal = orUnknown(principal);
      return this;
    }

    public Builder app(String app) {
      this.app = orUnknown(app);
      return this;
    }

    public Builder version(String version) {
      this.version = orUnknown(version);
      return this;
    }

    public Builder canonicalService(String canonicalService) {
      this.canonicalService = blank(canonicalService) ? null : canonicalService;
      return this;
    }

    public Builder canonicalRevision(String canonicalRevision) {
      this.canonicalRevision = blank(canonicalRevision) ? null : canonicalRevision;
      return this;
    }

    public Builder cluster(String cluster) {
      this.cluster = orUnknown(cluster);
      return this;
    }

    public Workload build() {
      String service = canonicalService != null ? canonicalService : !app.equals(UNKNOWN_VALUE) ? app : name;
      String revision = canonicalRevision != null ? canonicalRevision
          : !version.equals(UNKNOWN_VALUE) ? version : "latest";
      return new Workload(name, namespace, principal, app, version, service, revision, cluster);
    }

    private static String orUnknown(String value) {
      return blank(value) ? UNKNOWN_VALUE : value;
    }

    private static boolean blank(String value) {
      return value == null || value.isEmpty();
    }
  }
}
