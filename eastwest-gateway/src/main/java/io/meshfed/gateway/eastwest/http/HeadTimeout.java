package io.meshfed.gateway.eastwest.http;

import io.meshfed.gateway.eastwest.ResponseFlag;

/**
 * The timeouts that can end an HTTP/1.1 request whose head has not all arrived, fired by {@link RequestHeadGuard} to
 * the {@link RequestForwarder}. Each answers 408 and closes the connection, as Envoy does; they differ in the response
 * flag and the response code details (Envoy's spellings).
 */
enum HeadTimeout {

  /** The connection manager's {@code request_headers_timeout}. */
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
