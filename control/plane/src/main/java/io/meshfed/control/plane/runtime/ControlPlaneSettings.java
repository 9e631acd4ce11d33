package io.meshfed.control.plane.runtime;

import io.meshfed.control.plane.translate.ExtAuthzProvider;
import io.meshfed.control.plane.translate.MeshView;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The control plane's settings file (docs/configuration.md, "Control plane"), parsed and validated: an immutable
 * value. {@link #load} reads a file (or the built-in defaults) and applies command-line overrides; every problem is
 * a {@link SettingsException} naming the key, the file and what is expected.
 *
 * @param meshId the Hazelcast cluster name; members of another mesh are refused
 * @param clusterId this cluster's id, unique in the mesh (also the federation member name)
 * @param network the network of this cluster; empty for the default network
 * @param trustDomain the SPIFFE trust domain
 * @param trustDomainAliases other trust domains accepted under the same root
 * @param systemNamespace where the control plane, its Secrets and the root-certificate ConfigMap live
 * @param locality this cluster's default locality
 * @param dataDir local CA files, bootstrap tokens, the published root certificate
 * @param outboundTrafficPolicy {@code ALLOW_ANY} or {@code REGISTRY_ONLY}
 * @param meshConfig the Istio {@code meshConfig} fields meshfed reads
 */
public record ControlPlaneSettings(String meshId, String clusterId, String network, String trustDomain,
    List<String> trustDomainAliases, String systemNamespace, Locality locality, Path dataDir, Config config, Ca ca,
    Federation federation, Xds xds, Admin admin, Webhook webhook, String outboundTrafficPolicy,
    MeshConfig meshConfig) {

  public ControlPlaneSettings {
    trustDomainAliases = List.copyOf(trustDomainAliases);
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(meshConfig, "meshConfig");
  }

  /**
   * Reads {@code file} ({@code null}: only the built-in defaults) and applies {@code overrides}, keyed by the
   * settings path ({@code xds.tlsAddress}) with their values as text, as the command line gives them.
   *
   * @throws SettingsException naming the key, the file (and position) and what is expected
   */
  public static ControlPlaneSettings load(Path file, Map<String, String> overrides) {
    return SettingsReader.read(file, overrides);
  }

  /** The control plane's own SPIFFE id: {@code spiffe://<td>/ns/<systemNamespace>/sa/meshfed-control-plane}. */
  public String controlPlaneSpiffeId() {
    return "spiffe://" + trustDomain + "/ns/" + systemNamespace + "/sa/" + CONTROL_PLANE_ACCOUNT;
  }

  /** The service account the control plane runs as (the chart's). */
  public static final String CONTROL_PLANE_ACCOUNT = "meshfed-control-plane";

  /** {@code host:port}; port 0 binds an ephemeral port (tests). */
  public record Address(String host, int port) {
    public Address {
      Objects.requireNonNull(host, "host");
    }

    @Override
    public String toString() {
      return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
  }

  /** Region and zone; empty strings are unknown. */
  public record Locality(String region, String zone) {
  }

  /** Where Istio config comes from. */
  public enum ConfigSourceKind {
    KUBERNETES, DIRECTORY
  }

  /**
   * The config source.
   *
   * @param kubeconfig empty: in-cluster configuration (or the fabric8 defaults: $KUBECONFIG, ~/.kube/config)
   */
  public record Config(ConfigSourceKind source, Path directory, String kubeconfig) {
  }

  /** The CA backend, as trust's {@code CaMode} names them. */
  public enum CaModeSetting {
    LOCAL("local"), VAULT("vault"), VAULT_SIGN("vault-sign");

    private final String text;

    CaModeSetting(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  /** The CA: mode, leaf lifetime, Vault. */
  public record Ca(CaModeSetting mode, Duration workloadCertTtl, Vault vault) {
  }

  /** How to reach Vault (modes vault and vault-sign). Paths are files the secrets are read from, never secrets. */
  public record Vault(String address, String pkiPath, String intermediatePath, String role, String caCertFile,
      VaultAuthSettings auth) {
  }

  /** Vault login method. */
  public enum VaultAuthMethod {
    KUBERNETES, APPROLE, TOKEN
  }

  /** Vault login. */
  public record VaultAuthSettings(VaultAuthMethod method, String role, String mountPath, String tokenFile,
      String roleIdFile, String secretIdFile) {
  }

  /** What to do with a silent cluster's endpoints. */
  public enum OnStale {
    WITHDRAW, FAIL_STATIC
  }

  /**
   * Federation.
   *
   * @param members other control planes' relays, each named by its cluster id (the member name)
   * @param unusable entries of {@code members} given without a cluster id, which the relay cannot reach, each with
   *     what to write instead; the control plane reports them (log, {@code /ready} as degraded) and carries on
   * @param memberTimeout how long an unreachable control plane stays a Hazelcast member: its lease is judged only
   *     once it is dropped, so a partition withdraws after this plus the lease and {@code leaseGrace}
   * @param mergeInterval how often the two sides of a healed partition look for each other
   */
  public record Federation(List<Member> members, List<String> unusable, int relayPort, int hazelcastPort,
      boolean kubernetesDiscovery, Duration leaseGrace, OnStale onStale, Duration remoteSecretTimeout,
      Duration memberTimeout, Duration mergeInterval) {
    public Federation {
      members = List.copyOf(members);
      unusable = List.copyOf(unusable);
    }
  }

  /** A federation peer: its cluster id and relay address. */
  public record Member(String clusterId, Address relay) {
  }

  /** The ADS listeners and push debounce. {@code tlsAddress} null: no :15012 listener. */
  public record Xds(Address plaintextAddress, Address tlsAddress, Duration debounceAfter, Duration debounceMax) {
  }

  /** The admin listener. */
  public record Admin(Address address) {
  }

  /** The webhook listener; {@code address} null disables the webhook. */
  public record Webhook(Address address) {
  }

  /**
   * The fields of Istio's {@code MeshConfig} that meshfed reads (docs/configuration.md, "meshConfig"), with Istio's
   * defaults. Read once at start: a change needs a restart of the control plane.
   *
   * @param extensionProviders {@code extensionProviders[]} of kind {@code envoyExtAuthzHttp}, the authorizers CUSTOM
   *     AuthorizationPolicies name; in file order, names unique
   * @param tracingSampling {@code defaultConfig.tracing.sampling}: the percentage (0..100) of new traces the
   *     gateways sample (checked where it becomes part of the translation's view, {@code MeshView.Builder})
   */
  public record MeshConfig(List<ExtAuthzProvider> extensionProviders, double tracingSampling) {

    /** No providers, 1 % sampling: Istio's defaults. */
    public static final MeshConfig DEFAULT = new MeshConfig(List.of(), MeshView.DEFAULT_TRACE_SAMPLING_PERCENT);

    public MeshConfig {
      extensionProviders = List.copyOf(extensionProviders);
    }
  }
}
