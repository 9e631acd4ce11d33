/** Envoy's string matchers, shared by SAN validation, RBAC principals and route matching. */
package io.meshfed.gateway.eastwest.matcher;
