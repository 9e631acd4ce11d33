package io.meshfed.control.client.ca;

import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.Svid;
import io.meshfed.trust.rotation.SvidSource;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * trust's {@link SvidSource} over the control plane's CA, for a gateway's {@code RotatingSvid}: the first SVID is
 * requested with the bootstrap credential (a service-account or bootstrap token), every renewal with the SVID it
 * replaces (mTLS), as Istio agents do. When the SVID is refused (for example after a root rotation) and a token is
 * configured, the request is repeated once with the token.
 *
 * <pre>{@code
 * RotatingSvid svid = RotatingSvid.create(vertx,
 *     new CaSvidSource(caClient, myId, CaCredential.tokenFile(tokenPath), null), RotationPolicy.DEFAULT, meters);
 * }</pre>
 */
public final class CaSvidSource implements SvidSource {

  private static final Logger LOG = LoggerFactory.getLogger(CaSvidSource.class);

  private final CaClient client;
  private final SpiffeId identity;
  private final CaCredential bootstrap;
  private final Duration ttl;
  private volatile Svid last;

  /**
   * @param bootstrap the credential for the first request, and the fallback when the SVID is refused; {@code null}
   *     when the caller already holds an SVID ({@link #startingFrom})
   * @param ttl the lifetime to ask for; {@code null} for the CA's default
   */
  public CaSvidSource(CaClient client, SpiffeId identity, CaCredential bootstrap, Duration ttl) {
    this.client = Objects.requireNonNull(client, "client");
    this.identity = Objects.requireNonNull(identity, "identity");
    if (bootstrap instanceof CaCredential.CurrentSvid) {
      throw new IllegalArgumentException("bootstrap: an SVID (expected: a token; use startingFrom(svid) to renew "
          + "with an SVID already held)");
    }
    this.bootstrap = bootstrap;
    this.ttl = ttl;
  }

  /** Renews with {@code svid} first (a gateway restarted with a persisted SVID, or tests). */
  public CaSvidSource startingFrom(Svid svid) {
    this.last = Objects.requireNonNull(svid, "svid");
    return this;
  }

  @Override
  public Future<Svid> fetch() {
    Svid current = last;
    if (current != null && !current.isExpired(Instant.now())) {
      return client.issue(identity, CaCredential.svid(current), ttl)
          .recover(failure -> {
            if (bootstrap != null && failure instanceof CaClientException refused
                && (refused.status() == GrpcStatus.UNAUTHENTICATED
                    || refused.status() == GrpcStatus.PERMISSION_DENIED)) {
              LOG.warn("{}: renewal with the current SVID failed ({}); asking again with the bootstrap token",
                  identity, failure.getMessage());
              return client.issue(identity, bootstrap, ttl);
            }
            return Future.failedFuture(failure);
          })
          .onSuccess(svid -> last = svid);
    }
    if (bootstrap == null) {
      return Future.failedFuture(new CaClientException(GrpcStatus.UNAUTHENTICATED, identity + ": no valid SVID "
          + "and no token to ask for one (expected: a token file, e.g. /var/run/secrets/tokens/meshfed-token)"));
    }
    return client.issue(identity, bootstrap, ttl).onSuccess(svid -> last = svid);
  }
}
