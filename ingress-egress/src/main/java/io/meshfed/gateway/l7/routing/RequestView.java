package io.meshfed.gateway.l7.routing;

import java.util.List;

/** The parts of a request that route and filter matching read. Implementations parse lazily. */
public interface RequestView {

  /** The method, upper case as received. */
  String method();

  /** The authority (Host / :authority), as received. */
  String authority();

  /** The path without the query string. */
  String path();

  /** The whole request target as received: path and query. */
  String pathAndQuery();

  /** {@code http} or {@code https}: the scheme of the downstream connection. */
  String scheme();

  /**
   * The header's values joined by {@code ,} as Envoy does for matching; null when absent. Pseudo headers
   * {@code :method}, {@code :authority}, {@code :path}, {@code :scheme} are answered from the request line.
   */
  String header(String lowerCaseName);

  /** All values of a query parameter, empty when absent. */
  List<String> queryParameter(String name);
}
