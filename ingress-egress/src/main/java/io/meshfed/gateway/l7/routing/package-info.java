/**
 * Route tables compiled from RDS and the matching done per request: virtual hosts by authority, routes by path,
 * headers, method and query. Internal to the engine; may change freely.
 */
package io.meshfed.gateway.l7.routing;
