/**
 * The gateway's configuration snapshot and its translation from Envoy v3 protos
 * ({@link io.meshfed.gateway.eastwest.config.ConfigTranslator}): immutable values, checked against
 * docs/xds-profile.md. Internal to the gateway: public only because the engine's packages share it; free to change.
 */
package io.meshfed.gateway.eastwest.config;
