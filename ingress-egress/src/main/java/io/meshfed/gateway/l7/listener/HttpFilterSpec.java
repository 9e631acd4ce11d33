package io.meshfed.gateway.l7.listener;

import io.meshfed.gateway.l7.routing.CorsSpec;
import io.meshfed.gateway.l7.routing.FaultSpec;
import io.meshfed.gateway.l7.security.ExtAuthzSpec;
import io.meshfed.gateway.l7.security.JwtSpec;
import io.meshfed.gateway.l7.security.RbacSpec;

/** One HTTP filter of a connection manager, in the order they run. */
public sealed interface HttpFilterSpec {

  /** The filter's configured name ({@code envoy.filters.http.rbac}). */
  String name();

  /** {@code envoy.filters.http.jwt_authn}. */
  record Jwt(String name, JwtSpec spec) implements HttpFilterSpec {
  }

  /**
   * {@code envoy.filters.http.rbac}.
   *
   * @param name filter name
   * @param rules the enforced rules, null when only shadow rules are set
   * @param shadow shadow rules, null when none
   * @param shadowStatPrefix Envoy's {@code shadow_rules_stat_prefix}: the shadow result's metadata keys are
   *     {@code <prefix>shadow_effective_policy_id} and {@code <prefix>shadow_engine_result}
   */
  record Rbac(String name, RbacSpec rules, RbacSpec shadow, String shadowStatPrefix) implements HttpFilterSpec {
  }

  /** {@code envoy.filters.http.ext_authz}. */
  record ExtAuthz(String name, ExtAuthzSpec spec) implements HttpFilterSpec {
  }

  /** {@code envoy.filters.http.fault}; {@code defaults} (the filter-level HTTPFault) may be null. */
  record Fault(String name, FaultSpec defaults) implements HttpFilterSpec {
  }

  /** {@code envoy.filters.http.cors}; {@code defaults} may be null (policies come per route). */
  record Cors(String name, CorsSpec defaults) implements HttpFilterSpec {
  }

  /** {@code envoy.filters.http.router}: always last. */
  record Router(String name) implements HttpFilterSpec {
  }
}
