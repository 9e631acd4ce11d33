package io.meshfed.it.kube;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatusBuilder;
import io.fabric8.kubernetes.api.model.authentication.UserInfoBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers {@code POST /apis/authentication.k8s.io/v1/tokenreviews} as a real API server does for service-account
 * tokens: a token the test issued with {@link MockKubernetesCluster#serviceAccountToken} is authenticated as
 * {@code system:serviceaccount:<ns>:<name>} when the review asks for one of its audiences (the answer's
 * {@code audiences} is the intersection); any other token, or another audience, is not authenticated. Everything
 * else goes to the CRUD dispatcher.
 */
final class TokenReviews extends Dispatcher {

  private record Issued(String namespace, String serviceAccount, List<String> audiences) {
  }

  private final Dispatcher next;
  private final Map<String, Issued> tokens = new ConcurrentHashMap<>();

  TokenReviews(Dispatcher next) {
    this.next = next;
  }

  void issue(String token, String namespace, String serviceAccount, List<String> audiences) {
    tokens.put(token, new Issued(namespace, serviceAccount, List.copyOf(audiences)));
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String path = request.getPath();
    if (request.getMethod().equals("POST") && path.startsWith("/apis/authentication.k8s.io/v1/tokenreviews")) {
      TokenReview review = Serialization.unmarshal(request.getBody().readUtf8(), TokenReview.class);
      String token = review.getSpec() == null ? null : review.getSpec().getToken();
      List<String> asked = review.getSpec() == null || review.getSpec().getAudiences() == null ? List.of()
          : review.getSpec().getAudiences();
      Issued issued = token == null ? null : tokens.get(token);
      List<String> granted = new ArrayList<>();
      if (issued != null) {
        for (String audience : asked.isEmpty() ? List.of("https://kubernetes.default.svc") : asked) {
          if (issued.audiences().contains(audience)) {
            granted.add(audience);
          }
        }
      }
      TokenReviewStatusBuilder status = new TokenReviewStatusBuilder();
      if (issued == null || granted.isEmpty()) {
        status.withAuthenticated(false).withError(issued == null ? "invalid bearer token"
            : "token audiences " + issued.audiences() + " is invalid for the target audiences " + asked);
      } else {
        status.withAuthenticated(true).withAudiences(granted).withUser(new UserInfoBuilder()
            .withUsername("system:serviceaccount:" + issued.namespace() + ":" + issued.serviceAccount())
            .withGroups("system:serviceaccounts", "system:serviceaccounts:" + issued.namespace()).build());
      }
      TokenReview answer = new TokenReviewBuilder(review).withStatus(status.build()).build();
      return new MockResponse().setResponseCode(201).setHeader("Content-Type", "application/json")
          .setBody(Serialization.asJson(answer));
    }
    return next.dispatch(request);
  }
}
