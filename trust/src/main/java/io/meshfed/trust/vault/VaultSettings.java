package io.meshfed.trust.vault;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How to reach Vault's PKI engine: address, login, mount and role, timeouts. An immutable snapshot; build it with
 * {@link #builder(String)}. {@link #toString()} never prints secrets.
 */
public record VaultSettings(URI address, VaultAuth auth, String namespace, String pkiMount, String role,
    Duration requestTimeout, String caCertificatePem, boolean bootstrap, String rootCommonName, Duration rootTtl) {

  private static final Pattern PATH_SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)*");
  private static final Pattern ROLE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

  public VaultSettings {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
  }

  /** A builder for the Vault at {@code address}, e.g. {@code https://vault.vault.svc:8200}. */
  public static Builder builder(String address) {
    return new Builder(address);
  }

  /** Builds {@link VaultSettings}; each argument is checked as it arrives. */
  public static final class Builder {
    private final URI address;
    private VaultAuth auth;
    private String namespace;
    private String pkiMount = "pki";
    private String role = "meshfed-svid";
    private Duration requestTimeout = Duration.ofSeconds(10);
    private String caCertificatePem;
    private boolean bootstrap;
    private String rootCommonName = "meshfed root CA";
    private Duration rootTtl = Duration.ofDays(3650);

    private Builder(String address) {
      URI uri;
      try {
        uri = URI.create(address);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("vault address: " + address + " (expected: http(s)://host:port)", e);
      }
      if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
          || uri.getHost() == null) {
        throw new IllegalArgumentException("vault address: " + address + " (expected: http(s)://host:port)");
      }
      this.address = uri;
    }

    /** How to log in (required). */
    public Builder auth(VaultAuth auth) {
      this.auth = Objects.requireNonNull(auth, "auth");
      return this;
    }

    /** Vault Enterprise namespace, if any. */
    public Builder namespace(String namespace) {
      this.namespace = namespace;
      return this;
    }

    /** Where the PKI secrets engine holding the root is mounted (default {@code pki}). */
    public Builder pkiMount(String mount) {
      if (mount == null || !PATH_SEGMENT.matcher(mount).matches()) {
        throw new IllegalArgumentException("vault pki mount: " + mount + " (expected: a path such as pki or"
            + " pki/meshfed, no leading or trailing '/')");
      }
      this.pkiMount = mount;
      return this;
    }

    /** The PKI role leaves are signed against in {@code vault-sign} mode (default {@code meshfed-svid}). */
    public Builder role(String role) {
      if (role == null || !ROLE.matcher(role).matches()) {
        throw new IllegalArgumentException("vault pki role: " + role + " (expected: letters, digits, '-', '_', '.')");
      }
      this.role = role;
      return this;
    }

    /** How long one Vault request may take before meshfed gives up and retries later (default 10 s). */
    public Builder requestTimeout(Duration timeout) {
      if (timeout == null || timeout.toMillis() < 1000) {
        throw new IllegalArgumentException("vault request timeout: " + timeout + " (expected: at least 1s)");
      }
      this.requestTimeout = timeout;
      return this;
    }

    /** PEM of the CA that signed Vault's own HTTPS certificate, if not in the JDK's trust store. */
    public Builder caCertificatePem(String pem) {
      this.caCertificatePem = pem;
      return this;
    }

    /** Create the PKI mount, root and role when absent, at start (default off: an operator owns Vault). */
    public Builder bootstrap(boolean bootstrap) {
      this.bootstrap = bootstrap;
      return this;
    }

    /** Common name of a root created by bootstrap. */
    public Builder rootCommonName(String commonName) {
      this.rootCommonName = Objects.requireNonNull(commonName, "rootCommonName");
      return this;
    }

    /** Lifetime of a root created by bootstrap (default ten years). */
    public Builder rootTtl(Duration ttl) {
      this.rootTtl = Objects.requireNonNull(ttl, "rootTtl");
      return this;
    }

    public VaultSettings build() {
      if (auth == null) {
        throw new IllegalArgumentException("vault auth: none (expected: a token, AppRole or Kubernetes login)");
      }
      return new VaultSettings(address, auth, namespace, pkiMount, role, requestTimeout, caCertificatePem, bootstrap,
          rootCommonName, rootTtl);
    }
  }

  @Override
  public String toString() {
    return "VaultSettings{" + address + ", auth=" + auth + ", pkiMount=" + pkiMount + ", role=" + role
        + ", timeout=" + requestTimeout + ", bootstrap=" + bootstrap + "}";
  }
}
