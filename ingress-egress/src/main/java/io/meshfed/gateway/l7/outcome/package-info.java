/**
 * The engine's outcome seam: one {@link io.meshfed.gateway.l7.outcome.RequestOutcome} per request for metrics and
 * the access log, delivered to an {@link io.meshfed.gateway.l7.outcome.OutcomeSink}.
 */
package io.meshfed.gateway.l7.outcome;
