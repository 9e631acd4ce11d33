package io.meshfed.gateway.l7.security;

import io.meshfed.gateway.l7.routing.StringMatch;
import java.util.List;

/**
 * Envoy's {@code MetadataMatcher} over the request's dynamic metadata, as Istio uses it for request principals and
 * JWT claims ({@code filter: istio_authn, path: [request.auth.principal]}).
 *
 * @param filter the metadata namespace ({@code istio_authn}, {@code envoy.filters.http.jwt_authn})
 * @param path the key path
 * @param value the string matcher; a list value matches when any element matches
 * @param present for a presence match (value null)
 * @param invert Envoy's {@code invert}
 */
public record MetadataMatch(String filter, List<String> path, StringMatch value, boolean present, boolean invert) {
}
