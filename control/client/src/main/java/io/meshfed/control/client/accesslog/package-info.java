/**
 * The gateways' JSON access log: one line per request or TCP connection with the fields Istio users know
 * ({@link io.meshfed.control.client.accesslog.AccessLogEntry}), a filter expression language
 * ({@link io.meshfed.control.client.accesslog.AccessLogFilter}) plus sampling, a writer that never blocks an event
 * loop ({@link io.meshfed.control.client.accesslog.AccessLogger}: bounded queue, one worker thread, a drop counter)
 * and a bounded ring of recent entries indexed by request id
 * ({@link io.meshfed.control.client.accesslog.RecentRequests}) for the admin endpoint {@code /requestz} and
 * {@code meshfed explain}.
 */
package io.meshfed.control.client.accesslog;
