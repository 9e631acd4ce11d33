package io.meshfed.gateway.eastwest.http;

import io.meshfed.gateway.eastwest.ResponseFlag;

/**
 * The timeouts that can end an HTTP/1.1 request whose head has not all arrived, fired by {@link RequestHeadGuard} to
 * the {@link RequestForwarder}. Each answers 408 and closes the connection, as Envoy does, with Envoy's response code
 * details; they differ in those details and the response flag.
 */
enum HeadTimeout {

  /**
   * The connection manager's {@code request_headers_timeout}. Envoy sets no response flag for it (its
   * {@code onRequestHeaderTimeout} only sends the 408, details {@code request_header_timeout}); {@code DPE} is this
   * gateway's choice, as the ingress gateway's, so the timeout shows among the downstream's faults.
   */
  REQUEST_HEADERS(ResponseFlag.DPE, "request_header_timeout"),

  /** The connection manager's {@code stream_idle_timeout}, which for a head runs from its first byte. */
  STREAM_IDLE(ResponseFlag.SI, "stream_idle_timeout");

  private final ResponseFlag flag;
  private final String details;

  HeadTimeout(ResponseFlag flag, String details) {
    this.flag = flag;
    this.details = details;
  }

  ResponseFlag flag() {
    return flag;
  }

  String details() {
    return details;
  }
}
