/**
 * xDS in, engine snapshot out: {@link io.meshfed.gateway.l7.config.ConfigCompiler} turns Envoy v3 resources into
 * an immutable {@link io.meshfed.gateway.l7.config.EngineSnapshot}, refusing (NACKing) anything outside
 * {@code docs/xds-profile.md} with a {@link io.meshfed.gateway.l7.config.ConfigError} naming the resource, the
 * field and the fix.
 */
package io.meshfed.gateway.l7.config;
