/**
 * The running control plane: its settings file ({@link io.meshfed.control.plane.runtime.ControlPlaneSettings},
 * docs/configuration.md), the assembly of trust, config, federation, xDS, CA, admin and webhook in
 * {@link io.meshfed.control.plane.runtime.ControlPlane} with roll-back on a failed start, readiness and degraded
 * modes, and the translation pipeline that feeds the ADS server. docs/control-plane.md describes it for operators.
 */
package io.meshfed.control.plane.runtime;
