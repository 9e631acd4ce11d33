/**
 * Security filters and secrets: AuthorizationPolicy → RBAC (HTTP and network) and ext_authz, RequestAuthentication
 * → jwt_authn, SDS secrets (the gateway's SVID, the trust bundle, Gateway and DestinationRule credentials).
 * Internal to the translator: public only for its sibling packages, may change freely.
 */
package io.meshfed.control.plane.translate.security;
