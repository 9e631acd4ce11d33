package io.meshfed.gateway.l7.routing;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A compiled Envoy {@code RouteMatch}: a path rule (prefix, exact path or full regex on the path without query),
 * plus header and query-parameter matchers that must all match.
 *
 * @param kind which path rule
 * @param value the prefix or exact path (for {@link PathKind#REGEX} the pattern's source)
 * @param regex the compiled pattern for {@link PathKind#REGEX}, else null
 * @param caseSensitive Envoy's {@code case_sensitive} (default true)
 * @param headers all must match
 * @param queryParameters all must match
 * @param grpcOnly Envoy's {@code grpc {}}: only requests with {@code content-type: application/grpc*}
 */
public record RouteMatch(PathKind kind, String value, Pattern regex, boolean caseSensitive,
                         List<HeaderMatch> headers, List<QueryMatch> queryParameters, boolean grpcOnly) {

  /** The path rule of a route. */
  public enum PathKind { PREFIX, PATH, REGEX, PATH_SEPARATED_PREFIX }

  /** True when the request matches every rule. */
  public boolean matches(RequestView request) {
    if (!matchesPath(request.path())) {
      return false;
    }
    for (HeaderMatch header : headers) {
      if (!header.matches(request)) {
        return false;
      }
    }
    for (QueryMatch query : queryParameters) {
      if (!query.matches(request)) {
        return false;
      }
    }
    if (grpcOnly) {
      String contentType = request.header("content-type");
      return contentType != null && contentType.startsWith("application/grpc");
    }
    return true;
  }

  /** True when the path (without query) satisfies the path rule. */
  public boolean matchesPath(String path) {
    return switch (kind) {
      case PREFIX -> path.regionMatches(!caseSensitive, 0, value, 0, value.length());
      case PATH -> caseSensitive ? path.equals(value) : path.equalsIgnoreCase(value);
      case REGEX -> regex.matcher(path).matches();
      // https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto
      // path_separated_prefix: the prefix must be followed by nothing, '/', or the end of path.
      case PATH_SEPARATED_PREFIX -> path.regionMatches(!caseSensitive, 0, value, 0, value.length())
          && (path.length() == value.length() || path.charAt(value.length()) == '/');
    };
  }

  /** The length of the path consumed by a prefix match, for {@code prefix_rewrite}. */
  public int matchedPrefixLength() {
    return kind == PathKind.REGEX ? 0 : value.length();
  }
}
