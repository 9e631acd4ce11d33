package io.meshfed.gateway.l7.proxy;

import io.meshfed.gateway.l7.routing.RouteAction;
import io.meshfed.gateway.l7.routing.RouteMatch;

/** Builds the {@code Location} of an Envoy {@code redirect} route (route_components.proto, RedirectAction). */
final class Redirects {

  private Redirects() {
  }

  static String location(RouteAction.Redirect redirect, RequestLine line, RouteMatch match) {
    String scheme = redirect.scheme() != null ? redirect.scheme() : line.scheme();
    String authority = line.authority();
    String host = authority;
    String port = "";
    int colon = authority.lastIndexOf(':');
    if (colon > 0 && authority.indexOf(']', colon) < 0) {
      host = authority.substring(0, colon);
      port = authority.substring(colon);
    }
    if (redirect.host() != null) {
      host = redirect.host();
      if (host.lastIndexOf(':') > 0 && host.indexOf(']') < 0) {
        port = "";
      }
    }
    if (redirect.port() > 0) {
      port = ":" + redirect.port();
    } else if (!scheme.equals(line.scheme())) {
      // A scheme change drops the old scheme's port.
      port = "";
    }
    String path = line.path();
    String query = redirect.stripQuery() ? "" : line.query();
    if (redirect.pathRedirect() != null) {
      path = redirect.pathRedirect();
      int q = path.indexOf('?');
      if (q >= 0) {
        query = path.substring(q + 1);
        path = path.substring(0, q);
      }
    } else if (redirect.prefixRewrite() != null) {
      int matched = match.matchedPrefixLength();
      path = redirect.prefixRewrite() + (line.path().length() >= matched ? line.path().substring(matched) : "");
    } else if (redirect.regexRewrite() != null) {
      path = redirect.regexRewrite().matcher(line.path()).replaceAll(redirect.regexSubstitution());
    }
    return scheme + "://" + host + port + path + (query.isEmpty() ? "" : "?" + query);
  }
}
