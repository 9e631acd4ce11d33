package io.meshfed.control.plane.translate;

import io.meshfed.control.plane.config.ConfigSnapshot;
import io.meshfed.control.plane.istio.MeshSettings;
import io.meshfed.federation.catalog.Locality;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Everything the translator reads, as one immutable value: who this control plane is (mesh, cluster, network, trust
 * domain), the local config ({@link ConfigSnapshot}: Istio objects and Kubernetes service discovery), what the
 * federation catalog says about other clusters ({@link RemoteCatalog}), and the gateway groups to translate for.
 * A new state is a new view; build it with {@link #builder()} or derive it with {@link #toBuilder()}.
 *
 * <p>Domain suffix and root namespace come from the config snapshot's {@link MeshSettings}.
 */
public final class MeshView {

  private static final Pattern TRUST_DOMAIN = Pattern.compile("[a-z0-9._-]+");
  /** Istio's {@code meshConfig.defaultConfig.tracing.sampling} default, percent. */
  public static final double DEFAULT_TRACE_SAMPLING_PERCENT = 1.0;

  private final String meshId;
  private final String clusterId;
  private final String network;
  private final Locality locality;
  private final String trustDomain;
  private final List<String> trustDomainAliases;
  private final OutboundTrafficPolicy outboundTrafficPolicy;
  private final ConfigSnapshot config;
  private final RemoteCatalog catalog;
  private final Map<String, GatewayGroup> gateways;
  private final String trustBundlePem;
  private final Map<String, TlsCredential> gatewayCredentials;
  private final Map<String, ExtAuthzProvider> extAuthzProviders;
  private final double traceSamplingPercent;

  private MeshView(Builder b) {
    this.meshId = b.meshId;
    this.clusterId = b.clusterId;
    this.network = b.network;
    this.locality = b.locality;
    this.trustDomain = b.trustDomain;
    this.trustDomainAliases = List.copyOf(b.trustDomainAliases);
    this.outboundTrafficPolicy = b.outboundTrafficPolicy;
    this.config = b.config;
    this.catalog = b.catalog;
    this.gateways = Collections.unmodifiableMap(new TreeMap<>(b.gateways));
    this.trustBundlePem = b.trustBundlePem;
    this.gatewayCredentials = Map.copyOf(b.gatewayCredentials);
    this.extAuthzProviders = Map.copyOf(b.extAuthzProviders);
    this.traceSamplingPercent = b.traceSamplingPercent;
  }

  /** A builder; {@code clusterId} and {@code config} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this view's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.meshId = meshId;
    b.clusterId = clusterId;
    b.network = network;
    b.locality = locality;
    b.trustDomain = trustDomain;
    b.trustDomainAliases.addAll(trustDomainAliases);
    b.outboundTrafficPolicy = outboundTrafficPolicy;
    b.config = config;
    b.catalog = catalog;
    b.gateways.putAll(gateways);
    b.trustBundlePem = trustBundlePem;
    b.gatewayCredentials.putAll(gatewayCredentials);
    b.extAuthzProviders.putAll(extAuthzProviders);
    b.traceSamplingPercent = traceSamplingPercent;
    return b;
  }

  public String meshId() {
    return meshId;
  }

  /** This cluster's id ({@code CLUSTER_ID}). */
  public String clusterId() {
    return clusterId;
  }

  /** This cluster's network; empty is the default network. */
  public String network() {
    return network;
  }

  /** This cluster's locality: gateways that do not announce theirs are here. */
  public Locality locality() {
    return locality;
  }

  public String trustDomain() {
    return trustDomain;
  }

  /** Other trust domains accepted as this one (peers' SPIFFE IDs, AuthorizationPolicy principals). */
  public List<String> trustDomainAliases() {
    return trustDomainAliases;
  }

  public OutboundTrafficPolicy outboundTrafficPolicy() {
    return outboundTrafficPolicy;
  }

  public ConfigSnapshot config() {
    return config;
  }

  public MeshSettings mesh() {
    return config.mesh();
  }

  public RemoteCatalog catalog() {
    return catalog;
  }

  /** The gateway groups to translate for, by key. */
  public Map<String, GatewayGroup> gateways() {
    return gateways;
  }

  /** The trust bundle's roots, PEM concatenated: the SDS secret {@code ROOTCA}; empty when not known yet. */
  public String trustBundlePem() {
    return trustBundlePem;
  }

  /** Gateways' SVIDs by group key: the SDS secret {@code default} of that group. */
  public Map<String, TlsCredential> gatewayCredentials() {
    return gatewayCredentials;
  }

  /** External authorizers for CUSTOM AuthorizationPolicies, by provider name. */
  public Map<String, ExtAuthzProvider> extAuthzProviders() {
    return extAuthzProviders;
  }

  /** The percentage of new traces gateways sample ({@code meshConfig.defaultConfig.tracing.sampling}). */
  public double traceSamplingPercent() {
    return traceSamplingPercent;
  }

  @Override
  public String toString() {
    return "MeshView[mesh=" + meshId + ", cluster=" + clusterId + ", network=" + network + ", trustDomain="
        + trustDomain + ", config=" + config + ", " + catalog + ", gateways=" + gateways.keySet() + "]";
  }

  /** Builds a {@link MeshView}; each setter validates its argument. */
  public static final class Builder {
    private String meshId = "";
    private String clusterId;
    private String network = "";
    private Locality locality = Locality.UNKNOWN;
    private String trustDomain = "cluster.local";
    private final List<String> trustDomainAliases = new ArrayList<>();
    private OutboundTrafficPolicy outboundTrafficPolicy = OutboundTrafficPolicy.ALLOW_ANY;
    private ConfigSnapshot config;
    private RemoteCatalog catalog = RemoteCatalog.empty();
    private final Map<String, GatewayGroup> gateways = new LinkedHashMap<>();
    private String trustBundlePem = "";
    private final Map<String, TlsCredential> gatewayCredentials = new LinkedHashMap<>();
    private final Map<String, ExtAuthzProvider> extAuthzProviders = new LinkedHashMap<>();
    private double traceSamplingPercent = DEFAULT_TRACE_SAMPLING_PERCENT;

    private Builder() {
    }

    public Builder meshId(String meshId) {
      this.meshId = Objects.requireNonNull(meshId, "meshId");
      return this;
    }

    public Builder clusterId(String clusterId) {
      if (clusterId == null || clusterId.isBlank() || clusterId.contains("/")) {
        throw new IllegalArgumentException("clusterId: " + clusterId + " (expected: a non-empty id without '/')");
      }
      this.clusterId = clusterId;
      return this;
    }

    public Builder network(String network) {
      this.network = Objects.requireNonNull(network, "network");
      return this;
    }

    public Builder locality(Locality locality) {
      this.locality = Objects.requireNonNull(locality, "locality");
      return this;
    }

    public Builder trustDomain(String trustDomain) {
      this.trustDomain = requireTrustDomain("trustDomain", trustDomain);
      return this;
    }

    /** Replaces the aliases. */
    public Builder trustDomainAliases(List<String> aliases) {
      List<String> checked = new ArrayList<>();
      for (String alias : aliases) {
        checked.add(requireTrustDomain("trustDomainAliases", alias));
      }
      trustDomainAliases.clear();
      trustDomainAliases.addAll(checked);
      return this;
    }

    public Builder outboundTrafficPolicy(OutboundTrafficPolicy policy) {
      this.outboundTrafficPolicy = Objects.requireNonNull(policy, "outboundTrafficPolicy");
      return this;
    }

    public Builder config(ConfigSnapshot config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    public Builder catalog(RemoteCatalog catalog) {
      this.catalog = Objects.requireNonNull(catalog, "catalog");
      return this;
    }

    /** Adds (or replaces, by key) a gateway group. */
    public Builder gateway(GatewayGroup group) {
      Objects.requireNonNull(group, "group");
      gateways.put(group.key(), group);
      return this;
    }

    /** Replaces the gateway groups. */
    public Builder gateways(Iterable<GatewayGroup> groups) {
      gateways.clear();
      groups.forEach(this::gateway);
      return this;
    }

    public Builder trustBundlePem(String pem) {
      Objects.requireNonNull(pem, "trustBundlePem");
      if (!pem.isEmpty() && !pem.contains("-----BEGIN CERTIFICATE-----")) {
        throw new IllegalArgumentException("trustBundlePem: no PEM certificate (expected: the roots, PEM)");
      }
      this.trustBundlePem = pem;
      return this;
    }

    /**
     * The SVID served to a group as SDS {@code default}. Serve it only to gateways on the mTLS ADS port (or a
     * loopback plaintext port): the snapshot carries the private key.
     */
    public Builder gatewayCredential(String groupKey, TlsCredential credential) {
      Objects.requireNonNull(groupKey, "groupKey");
      gatewayCredentials.put(groupKey, Objects.requireNonNull(credential, "credential"));
      return this;
    }

    public Builder extAuthzProvider(ExtAuthzProvider provider) {
      Objects.requireNonNull(provider, "provider");
      extAuthzProviders.put(provider.name(), provider);
      return this;
    }

    /** Istio's {@code meshConfig.defaultConfig.tracing.sampling}: 0..100, 1.0 by default. */
    public Builder traceSamplingPercent(double percent) {
      if (!(percent >= 0 && percent <= 100)) {
        throw new IllegalArgumentException("traceSamplingPercent: " + percent + " (expected: a percentage 0..100)");
      }
      this.traceSamplingPercent = percent;
      return this;
    }

    public MeshView build() {
      if (clusterId == null) {
        throw new IllegalStateException("clusterId: not set (expected: this cluster's id)");
      }
      if (config == null) {
        throw new IllegalStateException("config: not set (expected: a ConfigSnapshot)");
      }
      return new MeshView(this);
    }

    private static String requireTrustDomain(String name, String value) {
      if (value == null || !TRUST_DOMAIN.matcher(value).matches()) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: a SPIFFE trust domain, lowercase "
            + "letters, digits, '.', '-', '_')");
      }
      return value;
    }
  }
}
