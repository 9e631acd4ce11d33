package io.meshfed.control.plane.runtime;

import io.meshfed.control.plane.runtime.ControlPlaneSettings.CaModeSetting;
import io.meshfed.control.plane.runtime.ControlPlaneSettings.VaultAuthSettings;
import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.ca.CaConfig;
import io.meshfed.trust.ca.CaMode;
import io.meshfed.trust.ca.CertificateAuthorities;
import io.meshfed.trust.ca.CertificateAuthority;
import io.meshfed.trust.ca.KeyAlgorithm;
import io.meshfed.trust.rotation.RotatingSvid;
import io.meshfed.trust.rotation.RotationPolicy;
import io.meshfed.trust.rotation.SvidSource;
import io.meshfed.trust.tls.MeshTls;
import io.meshfed.trust.vault.VaultAuth;
import io.meshfed.trust.vault.VaultSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's trust: the CA of {@code ca.mode} and the control plane's own SVID
 * ({@code spiffe://<td>/ns/<systemNamespace>/sa/meshfed-control-plane}), renewed by a {@link RotatingSvid} from that
 * CA, and the TLS factories built on it. Closing stops rotation, then the CA.
 */
final class ControlPlaneTrust {

  private static final Logger LOG = LoggerFactory.getLogger(ControlPlaneTrust.class);

  private final CertificateAuthority ca;
  private final RotatingSvid svid;
  private final MeshTls xdsTls;
  private final MeshTls federationTls;

  private ControlPlaneTrust(CertificateAuthority ca, RotatingSvid svid, MeterRegistry registry) {
    this.ca = ca;
    this.svid = svid;
    // :15012 also serves the CA, whose first callers have no certificate yet: client certificates are requested,
    // and the ADS service refuses streams without one.
    this.xdsTls = MeshTls.builder(svid, registry).clientAuth(ClientAuth.REQUEST).build();
    this.federationTls = MeshTls.builder(svid, registry).build();
  }

  /** Starts the CA (blocking setup on workers) and fetches the first SVID. */
  static Future<ControlPlaneTrust> start(Vertx vertx, ControlPlaneSettings settings, MeterRegistry registry) {
    return vertx.executeBlocking(() -> caConfig(settings), false)
        .compose(config -> CertificateAuthorities.start(vertx, config, registry))
        .compose(ca -> {
          SpiffeId id = SpiffeId.parse(settings.controlPlaneSpiffeId());
          RotatingSvid svid = RotatingSvid.create(vertx,
              SvidSource.fromAuthority(vertx, ca, id, KeyAlgorithm.EC_P256, null), RotationPolicy.DEFAULT, registry);
          return svid.start()
              .map(first -> {
                LOG.info("control plane SVID {} (until {}), CA mode {}", first.spiffeId(), first.notAfter(),
                    ca.mode());
                return new ControlPlaneTrust(ca, svid, registry);
              })
              .recover(e -> ca.close().transform(ignored -> Future.failedFuture(e)));
        });
  }

  /** Blocking: reads Vault credential files. */
  static CaConfig caConfig(ControlPlaneSettings settings) throws IOException {
    CaMode mode = switch (settings.ca().mode()) {
      case LOCAL -> CaMode.LOCAL;
      case VAULT -> CaMode.VAULT;
      case VAULT_SIGN -> CaMode.VAULT_SIGN;
    };
    CaConfig.Builder config = CaConfig.builder(mode)
        .trustDomain(settings.trustDomain())
        .clusterId(settings.clusterId())
        .defaultLeafTtl(settings.ca().workloadCertTtl())
        .dataDirectory(settings.dataDir());
    settings.trustDomainAliases().forEach(config::alias);
    if (settings.ca().mode() != CaModeSetting.LOCAL) {
      ControlPlaneSettings.Vault vault = settings.ca().vault();
      VaultSettings.Builder builder = VaultSettings.builder(vault.address())
          .auth(vaultAuth(vault.auth()))
          .pkiMount(vault.pkiPath())
          .role(vault.role());
      if (!vault.caCertFile().isBlank()) {
        builder.caCertificatePem(Files.readString(Path.of(vault.caCertFile()), StandardCharsets.UTF_8));
      }
      if (settings.ca().mode() == CaModeSetting.VAULT && !vault.intermediatePath().equals("pki_int")) {
        LOG.warn("ca.vault.intermediatePath: {} is not used: the intermediate key stays in this process's memory "
            + "and is not recorded in Vault (docs/trust.md, mode vault)", vault.intermediatePath());
      }
      config.vault(builder.build());
    }
    return config.build();
  }

  private static VaultAuth vaultAuth(VaultAuthSettings auth) throws IOException {
    return switch (auth.method()) {
      case KUBERNETES -> new VaultAuth.Kubernetes(auth.role(), Path.of(auth.tokenFile()), auth.mountPath());
      case APPROLE -> new VaultAuth.AppRole(read(auth.roleIdFile(), "ca.vault.auth.roleIdFile"),
          read(auth.secretIdFile(), "ca.vault.auth.secretIdFile"), auth.mountPath());
      case TOKEN -> new VaultAuth.Token(read(auth.tokenFile(), "ca.vault.auth.tokenFile"));
    };
  }

  private static String read(String file, String key) throws IOException {
    try {
      return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new IOException(key + ": " + file + ": cannot read (" + e.getMessage() + ")", e);
    }
  }

  CertificateAuthority ca() {
    return ca;
  }

  RotatingSvid svid() {
    return svid;
  }

  /** TLS of :15012 (client certificates requested, not required). */
  MeshTls xdsTls() {
    return xdsTls;
  }

  /** TLS of the federation relay (client certificates required). */
  MeshTls federationTls() {
    return federationTls;
  }

  Future<Void> close() {
    return svid.close().eventually(ca::close);
  }
}
