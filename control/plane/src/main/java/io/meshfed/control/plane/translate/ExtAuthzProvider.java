package io.meshfed.control.plane.translate;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * An external authorizer an AuthorizationPolicy with {@code action: CUSTOM} names in {@code provider.name}: Istio's
 * {@code meshConfig.extensionProviders[].envoyExtAuthzHttp} (an HTTP service; gRPC authorizers are not supported).
 *
 * @param name the provider name policies refer to
 * @param service the authorizer's host, e.g. {@code ext-authz.foo.svc.cluster.local}; its cluster must be known
 *     (a Service or ServiceEntry)
 * @param port the authorizer's port
 * @param pathPrefix prepended to the checked request's path
 * @param includeRequestHeadersInCheck headers of the request sent to the authorizer (besides Envoy's defaults)
 * @param headersToUpstreamOnAllow headers of the authorizer's answer added to the request when it allows it
 * @param failOpen allow requests when the authorizer cannot be reached
 * @param statusOnError the status returned when it cannot be reached and {@code failOpen} is false (Istio: 403)
 * @param timeout how long to wait for the authorizer (Istio's default, which the settings use: 10 minutes;
 *     {@link #of}: 200 ms, Envoy's)
 */
public record ExtAuthzProvider(String name, String service, int port, String pathPrefix,
    List<String> includeRequestHeadersInCheck, List<String> headersToUpstreamOnAllow, boolean failOpen,
    int statusOnError, Duration timeout) {

  public ExtAuthzProvider {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(pathPrefix, "pathPrefix");
    includeRequestHeadersInCheck = List.copyOf(includeRequestHeadersInCheck);
    headersToUpstreamOnAllow = List.copyOf(headersToUpstreamOnAllow);
    Objects.requireNonNull(timeout, "timeout");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name: \"\" (expected: the provider name CUSTOM policies use)");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
    }
    if (statusOnError < 100 || statusOnError > 599) {
      throw new IllegalArgumentException("statusOnError: " + statusOnError + " (expected: an HTTP status)");
    }
  }

  /**
   * A provider with no path prefix, no extra headers, failing closed with 403 (Istio's defaults) and Envoy's 200 ms
   * timeout (Istio's, which the settings use, is 10 minutes).
   */
  public static ExtAuthzProvider of(String name, String service, int port) {
    return new ExtAuthzProvider(name, service, port, "", List.of(), List.of(), false, 403, Duration.ofMillis(200));
  }
}
