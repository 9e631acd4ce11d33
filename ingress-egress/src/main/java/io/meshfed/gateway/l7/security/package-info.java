/**
 * Edge security: JWT authentication (RequestAuthentication), RBAC (AuthorizationPolicy ALLOW/DENY/LOG) and the
 * external authorizer (CUSTOM). Internal to the engine; may change freely.
 */
package io.meshfed.gateway.l7.security;
