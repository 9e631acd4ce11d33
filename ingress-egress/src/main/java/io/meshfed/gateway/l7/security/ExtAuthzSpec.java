package io.meshfed.gateway.l7.security;

import io.meshfed.gateway.l7.routing.StringMatch;
import java.time.Duration;
import java.util.List;

/**
 * A compiled {@code envoy.filters.http.ext_authz} with an HTTP service (Istio's AuthorizationPolicy
 * {@code CUSTOM} action with an {@code envoyExtAuthzHttp} provider).
 *
 * @param cluster the authorizer's cluster
 * @param authority the {@code :authority} sent to the authorizer (from {@code server_uri.uri})
 * @param pathPrefix {@code path_prefix} prepended to the request path
 * @param timeout the check timeout
 * @param allowedHeaders request headers sent to the authorizer besides Envoy's defaults (authorization, host,
 *     method, path, content-length)
 * @param upstreamHeaders authorizer response headers copied onto the forwarded request
 * @param failureModeAllow let requests through when the authorizer cannot be reached
 * @param statusOnError the status sent when the authorizer fails (default 403)
 * @param enabledMetadata Envoy's {@code filter_enabled_metadata}: when non-null the filter runs only for requests
 *     whose dynamic metadata matches (Istio scopes CUSTOM policies by an RBAC shadow evaluation), else for all
 */
public record ExtAuthzSpec(String cluster, String authority, String pathPrefix, Duration timeout,
                           List<StringMatch> allowedHeaders, List<StringMatch> upstreamHeaders, boolean failureModeAllow,
                           int statusOnError, MetadataMatch enabledMetadata) {
}
