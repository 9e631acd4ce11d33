package io.meshfed.gateway.l7.listener;

import java.nio.charset.StandardCharsets;

/**
 * The timeouts that can end an HTTP/1.1 request whose headers have not all arrived. Each answers 408 and closes the
 * connection, as Envoy does; they differ in the response flag and the response code details they report.
 */
public enum HeadersTimeout {

  /** The connection manager's {@code request_headers_timeout}. */
  REQUEST_HEADERS("DPE", "request_header_timeout", "request header timeout"),

  /** The connection manager's {@code stream_idle_timeout}, which runs from the request's first byte. */
  STREAM_IDLE("SI", "stream_idle_timeout", "stream timeout");

  private final String flag;
  private final String details;
  private final byte[] response;

  HeadersTimeout(String flag, String details, String body) {
    this.flag = flag;
    this.details = details;
    this.response = ("HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain\r\ncontent-length: " + body.length()
        + "\r\nconnection: close\r\nx-meshfed-flags: " + flag + "\r\nx-meshfed-details: " + details
        + "\r\nserver: meshfed\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
  }

  /** The response flag, in Envoy's spelling. */
  public String flag() {
    return flag;
  }

  /** The response code details, in Envoy's spelling. */
  public String details() {
    return details;
  }

  /** The whole 408 response, written before the HTTP codecs. */
  byte[] response() {
    return response.clone();
  }
}
