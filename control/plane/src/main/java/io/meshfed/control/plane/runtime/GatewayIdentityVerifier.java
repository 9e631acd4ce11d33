package io.meshfed.control.plane.runtime;

import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.meshfed.control.client.xds.InvalidNodeException;
import io.meshfed.control.client.xds.NodeIdentity;
import io.meshfed.control.plane.xds.ClientIdentityVerifier;
import io.meshfed.trust.PeerVerification;
import io.meshfed.trust.SvidProvider;
import io.vertx.core.Future;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Decides on :15012 whether a stream's client certificate may speak for its node, as istiod does: the certificate's
 * SPIFFE id must be in the node's namespace and, when the node names its {@code SERVICE_ACCOUNT}, be that account. A
 * gateway can therefore only ask for its own namespace's configuration (and secrets).
 */
final class GatewayIdentityVerifier implements ClientIdentityVerifier {

  static final String SERVICE_ACCOUNT = "SERVICE_ACCOUNT";

  private final SvidProvider svids;

  GatewayIdentityVerifier(SvidProvider svids) {
    this.svids = svids;
  }

  @Override
  public Future<Void> verify(List<X509Certificate> peerChain, Node node) {
    PeerVerification verification = svids.current().bundle().verify(peerChain);
    if (verification instanceof PeerVerification.Rejected rejected) {
      return Future.failedFuture(rejected.toString());
    }
    var peer = ((PeerVerification.Verified) verification).peer();
    NodeIdentity identity;
    try {
      identity = NodeIdentity.of(node);
    } catch (InvalidNodeException e) {
      return Future.failedFuture(e.getMessage());
    }
    if (!peer.namespace().equals(identity.namespace())) {
      return Future.failedFuture(peer + " is in namespace " + peer.namespace() + " (expected: the node's namespace "
          + identity.namespace() + ")");
    }
    Value account = node.getMetadata().getFieldsOrDefault(SERVICE_ACCOUNT, Value.getDefaultInstance());
    if (account.getKindCase() == Value.KindCase.STRING_VALUE && !account.getStringValue().isEmpty()
        && !account.getStringValue().equals(peer.serviceAccount())) {
      return Future.failedFuture(peer + " is service account " + peer.serviceAccount() + " (expected: the node's "
          + SERVICE_ACCOUNT + " " + account.getStringValue() + ")");
    }
    return Future.succeededFuture();
  }
}
