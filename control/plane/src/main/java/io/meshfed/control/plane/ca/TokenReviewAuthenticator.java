package io.meshfed.control.plane.ca;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.TrustDomain;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Optional;

/**
 * A Kubernetes service-account token, checked by a {@code TokenReview} against this cluster's API server for the
 * CA's audience ({@code meshfed-ca}, the chart's projected token; Istio does the same with {@code istio-ca}). The
 * identity is the token's service account: {@code system:serviceaccount:<ns>:<sa>} becomes
 * {@code spiffe://<td>/ns/<ns>/sa/<sa>}. A token for another audience, the API server's own included, is refused.
 */
final class TokenReviewAuthenticator implements Authenticator {

  static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

  private final Vertx vertx;
  private final KubernetesClient client;
  private final String audience;
  private final TrustDomain trustDomain;
  private final String clusterId;

  TokenReviewAuthenticator(Vertx vertx, KubernetesClient client, String audience, TrustDomain trustDomain,
      String clusterId) {
    this.vertx = vertx;
    this.client = client;
    this.audience = audience;
    this.trustDomain = trustDomain;
    this.clusterId = clusterId;
  }

  String audience() {
    return audience;
  }

  @Override
  public Future<Optional<Caller>> authenticate(CallContext call) {
    if (call.bearerToken().isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    if (call.clusterId().isPresent() && !call.clusterId().get().equals(clusterId)) {
      return Future.failedFuture(new CallerRejectedException("ClusterID " + call.clusterId().get()
          + ": this control plane reviews tokens of cluster " + clusterId + " only (expected: ClusterID "
          + clusterId + " or none)"));
    }
    String token = call.bearerToken().get();
    // fabric8 blocks on the HTTP call: off the event loop.
    return vertx.executeBlocking(() -> review(token), false).map(Optional::of);
  }

  private Caller review(String token) {
    TokenReview request = new TokenReviewBuilder().withNewSpec().withToken(token).withAudiences(audience).endSpec()
        .build();
    TokenReview answer;
    try {
      answer = client.resource(request).create();
    } catch (KubernetesClientException e) {
      throw new CallerRejectedException("token review failed: the Kubernetes API answered " + e.getCode()
          + (e.getStatus() == null || e.getStatus().getMessage() == null ? "" : ": " + e.getStatus().getMessage())
          + " (expected: the control plane may create authentication.k8s.io tokenreviews)");
    }
    TokenReviewStatus status = answer == null ? null : answer.getStatus();
    if (status == null || !Boolean.TRUE.equals(status.getAuthenticated())) {
      String why = status == null || status.getError() == null || status.getError().isBlank() ? "not authenticated"
          : status.getError();
      throw new CallerRejectedException("token rejected by the Kubernetes API server: " + why
          + " (expected: a service-account token with audience " + audience + ")");
    }
    List<String> audiences = status.getAudiences();
    if (audiences != null && !audiences.isEmpty() && !audiences.contains(audience)) {
      throw new CallerRejectedException("token audiences " + audiences + " (expected: " + audience + ")");
    }
    String user = status.getUser() == null ? "" : status.getUser().getUsername();
    if (user == null || !user.startsWith(SERVICE_ACCOUNT_PREFIX)) {
      throw new CallerRejectedException("token user " + user + " (expected: a service account, "
          + SERVICE_ACCOUNT_PREFIX + "<namespace>:<name>)");
    }
    String[] parts = user.substring(SERVICE_ACCOUNT_PREFIX.length()).split(":", 2);
    if (parts.length != 2) {
      throw new CallerRejectedException("token user " + user + " (expected: " + SERVICE_ACCOUNT_PREFIX
          + "<namespace>:<name>)");
    }
    return new Caller(new SpiffeId(trustDomain, parts[0], parts[1]), "token-review");
  }
}
