/**
 * Istio's standard metrics (istio.io, "Istio Standard Metrics") with their exact names, label sets and histogram
 * buckets, so existing dashboards and Kiali read meshfed's gateways unchanged. Data planes describe each request or
 * connection with one value ({@link io.meshfed.control.client.metrics.RequestMetric},
 * {@link io.meshfed.control.client.metrics.ConnectionMetric}) and never build label arrays;
 * {@link io.meshfed.control.client.metrics.IstioMetrics} caches the meters per label set.
 */
package io.meshfed.control.client.metrics;
