package io.meshfed.control.plane.runtime;

import io.meshfed.federation.relay.FederationTls;
import io.meshfed.federation.relay.PeerVerdict;
import io.meshfed.trust.PeerVerification;
import io.meshfed.trust.SvidProvider;
import io.meshfed.trust.tls.MeshTls;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.security.cert.Certificate;
import java.util.List;

/**
 * The federation relay's TLS, backed by trust: the control plane's SVID and bundle through {@link MeshTls}, and a
 * peer rule that admits control planes only: a verified SPIFFE id of an accepted trust domain whose service account is
 * {@code meshfed-control-plane} (any system namespace: clusters may install meshfed in different namespaces).
 */
final class RelayTls implements FederationTls {

  private final MeshTls tls;
  private final SvidProvider svids;

  RelayTls(MeshTls tls, SvidProvider svids) {
    this.tls = tls;
    this.svids = svids;
  }

  @Override
  public ServerSSLOptions serverOptions() {
    return tls.serverSslOptions();
  }

  @Override
  public ClientSSLOptions clientOptions() {
    return tls.clientSslOptions();
  }

  @Override
  public PeerVerdict verifyPeer(List<Certificate> chain) {
    PeerVerification verification = svids.current().bundle().verify(chain);
    if (verification instanceof PeerVerification.Rejected rejected) {
      return PeerVerdict.deny("", rejected.toString());
    }
    PeerVerification.Verified verified = (PeerVerification.Verified) verification;
    if (!verified.peer().serviceAccount().equals(ControlPlaneSettings.CONTROL_PLANE_ACCOUNT)) {
      return PeerVerdict.deny(verified.peer().toString(), "service account " + verified.peer().serviceAccount()
          + " (expected: " + ControlPlaneSettings.CONTROL_PLANE_ACCOUNT + ": only control planes join the federation)");
    }
    return PeerVerdict.allow(verified.peer().toString());
  }
}
