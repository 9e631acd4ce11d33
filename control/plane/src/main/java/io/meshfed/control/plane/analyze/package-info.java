/**
 * Static analysis of meshfed/Istio config: the checks behind {@code meshfed analyze}, reusable by the admission
 * webhook and the control plane with the same message codes ({@link io.meshfed.control.plane.istio.MessageType}).
 * {@link io.meshfed.control.plane.analyze.Analysis} runs every check over one or several clusters' snapshots.
 */
package io.meshfed.control.plane.analyze;
