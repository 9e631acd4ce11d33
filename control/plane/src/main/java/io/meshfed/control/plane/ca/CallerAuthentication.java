package io.meshfed.control.plane.ca;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.trust.TrustBundle;
import io.meshfed.trust.TrustDomain;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Who may ask the CA for a certificate, tried in order: the caller's current SVID (TLS client certificate), then a
 * bearer token: a bootstrap token of the embedded mode, then a Kubernetes TokenReview. The first that applies
 * decides; a call that none accepts is refused with a message naming what was presented and what is expected.
 */
public final class CallerAuthentication {

  /** The audience the chart's projected gateway tokens carry ({@code gateways.tokenAudience}). */
  public static final String DEFAULT_AUDIENCE = "meshfed-ca";

  private final List<Authenticator> certificate;
  private final List<Authenticator> token;
  private final String expectedToken;

  private CallerAuthentication(List<Authenticator> certificate, List<Authenticator> token, String expectedToken) {
    this.certificate = List.copyOf(certificate);
    this.token = List.copyOf(token);
    this.expectedToken = expectedToken;
  }

  public static Builder builder(Vertx vertx) {
    return new Builder(vertx);
  }

  /** The proven caller, or a failed future with a {@link CallerRejectedException}. */
  Future<Caller> authenticate(CallContext call) {
    if (!call.peerChain().isEmpty()) {
      return first(certificate, 0, call);
    }
    if (call.bearerToken().isEmpty()) {
      return Future.failedFuture(new CallerRejectedException("no credential (expected: "
          + "'authorization: Bearer <token>' with " + expectedToken + ", or the caller's SVID as TLS client "
          + "certificate)"));
    }
    return first(token, 0, call);
  }

  private Future<Caller> first(List<Authenticator> authenticators, int index, CallContext call) {
    if (index == authenticators.size()) {
      return Future.failedFuture(new CallerRejectedException(call.peerChain().isEmpty()
          ? "token not recognised (expected: " + expectedToken + ")"
          : "client certificate not accepted (expected: a current SVID of this mesh)"));
    }
    return authenticators.get(index).authenticate(call).compose(found -> found.map(Future::succeededFuture)
        .orElseGet(() -> first(authenticators, index + 1, call)));
  }

  /** Configures the authenticators; each setter checks its argument. */
  public static final class Builder {
    private final Vertx vertx;
    private Supplier<TrustBundle> bundle;
    private BootstrapTokens bootstrap;
    private TokenReviewAuthenticator review;

    private Builder(Vertx vertx) {
      this.vertx = Objects.requireNonNull(vertx, "vertx");
    }

    /** Accept callers' current SVIDs that verify against {@code bundle} (the CA's current trust bundle). */
    public Builder peerCertificates(Supplier<TrustBundle> bundle) {
      this.bundle = Objects.requireNonNull(bundle, "bundle");
      return this;
    }

    /** Accept the bootstrap tokens of {@code <dataDir>/bootstrap-tokens} ({@link BootstrapTokens}). */
    public Builder bootstrapTokens(Path dataDir) {
      this.bootstrap = new BootstrapTokens(vertx, BootstrapTokens.file(Objects.requireNonNull(dataDir, "dataDir")));
      return this;
    }

    /**
     * Accept Kubernetes service-account tokens for {@code audience}, reviewed by {@code client}'s API server, as
     * identities in {@code trustDomain}; {@code clusterId} is the cluster that API server serves.
     */
    public Builder tokenReview(KubernetesClient client, String audience, TrustDomain trustDomain, String clusterId) {
      Objects.requireNonNull(client, "client");
      if (audience == null || audience.isBlank()) {
        throw new IllegalArgumentException("audience: " + audience + " (expected: e.g. " + DEFAULT_AUDIENCE + ")");
      }
      this.review = new TokenReviewAuthenticator(vertx, client, audience, Objects.requireNonNull(trustDomain,
          "trustDomain"), Objects.requireNonNull(clusterId, "clusterId"));
      return this;
    }

    public CallerAuthentication build() {
      List<Authenticator> certificate = new ArrayList<>();
      if (bundle != null) {
        certificate.add(new PeerCertificateAuthenticator(bundle));
      }
      List<Authenticator> token = new ArrayList<>();
      List<String> kinds = new ArrayList<>();
      if (bootstrap != null) {
        token.add(bootstrap);
        kinds.add("a bootstrap token of " + BootstrapTokens.FILE_NAME);
      }
      if (review != null) {
        token.add(review);
        kinds.add("a Kubernetes service-account token with audience " + review.audience());
      }
      if (certificate.isEmpty() && token.isEmpty()) {
        throw new IllegalStateException("authenticators: none (expected: peerCertificates, bootstrapTokens "
            + "and/or tokenReview)");
      }
      return new CallerAuthentication(certificate, token,
          kinds.isEmpty() ? "no token kind is configured" : String.join(" or ", kinds));
    }
  }

  static Optional<String> bearer(String header) {
    if (header == null) {
      return Optional.empty();
    }
    String trimmed = header.strip();
    if (trimmed.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String token = trimmed.substring(7).strip();
      return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }
    return Optional.empty();
  }
}
