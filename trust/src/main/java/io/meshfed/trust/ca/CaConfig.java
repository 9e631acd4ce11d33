package io.meshfed.trust.ca;

import io.meshfed.trust.TrustDomain;
import io.meshfed.trust.vault.VaultSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How a cluster's CA is set up: the mode, trust domain (and aliases), cluster id, lifetimes, and the local data
 * directory or Vault settings. An immutable snapshot; build it with {@link #builder(CaMode)}.
 */
public record CaConfig(CaMode mode, TrustDomain trustDomain, Set<TrustDomain> aliases, String clusterId,
    Duration defaultLeafTtl, Duration maxLeafTtl, Duration intermediateTtl, Path dataDirectory,
    VaultSettings vault) {

  /** Istio's default workload certificate lifetime. */
  public static final Duration DEFAULT_LEAF_TTL = Duration.ofHours(24);
  private static final Pattern CLUSTER_ID = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  public CaConfig {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(trustDomain, "trustDomain");
    aliases = Set.copyOf(aliases);
    if (mode == CaMode.LOCAL && dataDirectory == null) {
      throw new IllegalArgumentException("dataDirectory: null (expected: a directory for the local root CA)");
    }
    if (mode != CaMode.LOCAL && vault == null) {
      throw new IllegalArgumentException("vault: null (expected: Vault settings for mode " + mode + ")");
    }
    if (maxLeafTtl.compareTo(defaultLeafTtl) < 0) {
      throw new IllegalArgumentException("maxLeafTtl: " + maxLeafTtl + " (expected: at least defaultLeafTtl "
          + defaultLeafTtl + ")");
    }
    if (mode != CaMode.VAULT_SIGN && intermediateTtl.compareTo(maxLeafTtl.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException("intermediateTtl: " + intermediateTtl + " (expected: at least twice maxLeafTtl "
          + maxLeafTtl + ", so an intermediate renewed at half life outlives every leaf it signed)");
    }
  }

  /** A builder for {@code mode}. */
  public static Builder builder(CaMode mode) {
    return new Builder(mode);
  }

  /** The leaf lifetime to issue for a request of {@code requested} ({@code null}: the default). */
  public Duration leafTtl(Duration requested) {
    if (requested == null || requested.isZero()) {
      return defaultLeafTtl;
    }
    if (requested.isNegative() || requested.compareTo(maxLeafTtl) > 0) {
      throw new CaException(CaException.Reason.INVALID_TTL,
          "ttl: " + requested + " (expected: between 1s and " + maxLeafTtl + ")");
    }
    return requested;
  }

  /** Builds a {@link CaConfig}; each argument is checked as it arrives. */
  public static final class Builder {
    private final CaMode mode;
    private TrustDomain trustDomain = TrustDomain.of("cluster.local");
    private final Set<TrustDomain> aliases = new LinkedHashSet<>();
    private String clusterId = "cluster";
    private Duration defaultLeafTtl = DEFAULT_LEAF_TTL;
    private Duration maxLeafTtl = Duration.ofDays(7);
    private Duration intermediateTtl = Duration.ofDays(30);
    private Path dataDirectory;
    private VaultSettings vault;

    private Builder(CaMode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
    }

    /** The trust domain this CA issues identities in (default {@code cluster.local}, like Istio). */
    public Builder trustDomain(String trustDomain) {
      this.trustDomain = TrustDomain.of(trustDomain);
      return this;
    }

    /** Another trust domain accepted under the same roots. */
    public Builder alias(String alias) {
      aliases.add(TrustDomain.of(alias));
      return this;
    }

    /** This cluster's id: names its intermediate. A DNS-1123 label. */
    public Builder clusterId(String clusterId) {
      if (clusterId == null || clusterId.length() > 63 || !CLUSTER_ID.matcher(clusterId).matches()) {
        throw new IllegalArgumentException("clusterId: " + clusterId
            + " (expected: a DNS-1123 label such as east or cluster-1)");
      }
      this.clusterId = clusterId;
      return this;
    }

    /** Lifetime of a leaf when the caller asks for none (default 24 h). */
    public Builder defaultLeafTtl(Duration ttl) {
      this.defaultLeafTtl = positive("defaultLeafTtl", ttl);
      return this;
    }

    /** Longest leaf lifetime a caller may ask for (default 7 days). */
    public Builder maxLeafTtl(Duration ttl) {
      this.maxLeafTtl = positive("maxLeafTtl", ttl);
      return this;
    }

    /** Lifetime of this cluster's intermediate (default 30 days); renewed at half life. */
    public Builder intermediateTtl(Duration ttl) {
      this.intermediateTtl = positive("intermediateTtl", ttl);
      return this;
    }

    /** Where the local root CA lives (mode {@code local}). */
    public Builder dataDirectory(Path dataDirectory) {
      this.dataDirectory = Objects.requireNonNull(dataDirectory, "dataDirectory");
      return this;
    }

    /** How to reach Vault (modes {@code vault} and {@code vault-sign}). */
    public Builder vault(VaultSettings vault) {
      this.vault = Objects.requireNonNull(vault, "vault");
      return this;
    }

    public CaConfig build() {
      return new CaConfig(mode, trustDomain, aliases, clusterId, defaultLeafTtl, maxLeafTtl, intermediateTtl,
          dataDirectory, vault);
    }

    private static Duration positive(String name, Duration ttl) {
      if (ttl == null || ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException(name + ": " + ttl + " (expected: a positive duration)");
      }
      return ttl;
    }
  }
}
