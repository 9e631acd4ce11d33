package io.meshfed.gateway.l7.proxy;

import io.meshfed.gateway.l7.routing.RequestView;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;

/**
 * The routing view of a request: method, authority, normalised path, query, headers. The path is normalised once
 * (RFC 3986 §5.2.4 dot segments removed, as Istio's default path normalisation does) so routing and
 * AuthorizationPolicy paths see the same value the upstream receives.
 */
final class RequestLine implements RequestView {

  private final String method;
  private final String authority;
  private final String path;
  private final String query;
  private final String scheme;
  private final HttpHeaders headers;
  private Map<String, List<String>> parameters;

  private RequestLine(String method, String authority, String path, String query, String scheme,
                      HttpHeaders headers) {
    this.method = method;
    this.authority = authority;
    this.path = path;
    this.query = query;
    this.scheme = scheme;
    this.headers = headers;
  }

  /**
   * Parses a request target: origin form ({@code /path?query}) or absolute form ({@code http://host/path}, whose
   * authority then replaces Host, RFC 9112 §3.2.2). Null when the target is neither.
   */
  static RequestLine parse(String method, String target, String host, String scheme, HttpHeaders headers) {
    for (int i = 0; i < target.length(); i++) {
      char c = target.charAt(i);
      // RFC 3986: no controls, spaces or non-ASCII in a request target.
      if (c <= 0x20 || c >= 0x7F) {
        return null;
      }
    }
    String authority = host;
    String rest = target;
    if (!target.startsWith("/")) {
      int schemeEnd = target.indexOf("://");
      if (schemeEnd <= 0) {
        return null;
      }
      int pathStart = target.indexOf('/', schemeEnd + 3);
      authority = pathStart < 0 ? target.substring(schemeEnd + 3) : target.substring(schemeEnd + 3, pathStart);
      rest = pathStart < 0 ? "/" : target.substring(pathStart);
    }
    int fragment = rest.indexOf('#');
    if (fragment >= 0) {
      rest = rest.substring(0, fragment);
    }
    int q = rest.indexOf('?');
    String rawPath = q < 0 ? rest : rest.substring(0, q);
    String query = q < 0 ? "" : rest.substring(q + 1);
    return new RequestLine(method, authority, normalize(rawPath), query, scheme, headers);
  }

  /** Removes {@code .} and {@code ..} segments (RFC 3986 §5.2.4); a path without them is returned as is. */
  static String normalize(String path) {
    if (path.indexOf("/.") < 0) {
      return path;
    }
    String[] segments = path.split("/", -1);
    java.util.ArrayDeque<String> output = new java.util.ArrayDeque<>();
    for (int i = 1; i < segments.length; i++) {
      String segment = segments[i];
      boolean last = i == segments.length - 1;
      if (segment.equals(".")) {
        if (last) {
          output.addLast("");
        }
      } else if (segment.equals("..")) {
        output.pollLast();
        if (last) {
          output.addLast("");
        }
      } else {
        output.addLast(segment);
      }
    }
    StringBuilder normalized = new StringBuilder();
    for (String segment : output) {
      normalized.append('/').append(segment);
    }
    return normalized.length() == 0 ? "/" : normalized.toString();
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public String authority() {
    return authority;
  }

  @Override
  public String path() {
    return path;
  }

  String query() {
    return query;
  }

  @Override
  public String pathAndQuery() {
    return query.isEmpty() ? path : path + "?" + query;
  }

  @Override
  public String scheme() {
    return scheme;
  }

  HttpHeaders headers() {
    return headers;
  }

  @Override
  public String header(String lowerCaseName) {
    if (lowerCaseName.startsWith(":")) {
      return switch (lowerCaseName) {
        case ":method" -> method;
        case ":authority" -> authority;
        case ":path" -> pathAndQuery();
        case ":scheme" -> scheme;
        default -> null;
      };
    }
    List<String> values = headers.getAll(lowerCaseName);
    if (values.isEmpty()) {
      return null;
    }
    return values.size() == 1 ? values.get(0) : String.join(",", values);
  }

  @Override
  public List<String> queryParameter(String name) {
    if (query.isEmpty()) {
      return List.of();
    }
    if (parameters == null) {
      parameters = new QueryStringDecoder(query, false).parameters();
    }
    return parameters.getOrDefault(name, List.of());
  }
}
