/**
 * The lifecycle every meshfed gateway shares ({@link io.meshfed.control.client.runtime.GatewayRuntime}): the
 * health/readiness server on :15021 ({@code /healthz/ready}, as Istio's gateways), Prometheus metrics on :15090
 * ({@code /stats/prometheus}), the loopback admin server on :15000 ({@code /config_dump}, {@code /listeners},
 * {@code /clusters}, {@code /server_info}, {@code /ready}, {@code /stats}, {@code /requestz},
 * {@code /drain_listeners}), and graceful drain on SIGTERM or an admin POST through the
 * {@link io.meshfed.control.client.runtime.Drainable} interface the data planes implement.
 *
 * <p>Threading: the runtime's drain state machine runs on one Vert.x context; {@link
 * io.meshfed.control.client.runtime.Readiness} is published through one atomic reference and may be updated from any
 * thread (the xDS client's, the certificate rotation's).
 */
package io.meshfed.control.client.runtime;
