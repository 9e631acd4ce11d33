package io.meshfed.gateway.l7.codec;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.ArrayDeque;

/**
 * The methods of an HTTP/1.1 connection's requests not answered yet, oldest first (responses come in request order,
 * RFC 9112 §9.3.2): a response to HEAD has no body whatever its framing headers say (RFC 9110 §9.3.2), so the side
 * framing responses must know which answer a HEAD. Downstream the request decoder records and the response encoder
 * reads; upstream the {@link RequestEncoder} records and the {@link ResponseDecoder} reads. One per connection;
 * event-loop confined.
 */
public final class PendingMethods {

  private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);

  /** A request was read or sent. */
  public void requested(HttpMethod method) {
    methods.add(method);
  }

  /** A final response is framed: the method of the request it answers, or null when none is pending. */
  HttpMethod answered() {
    return methods.poll();
  }

  /**
   * Whether {@code response}, being framed, answers a HEAD: a final response answers the oldest pending request; an
   * interim (1xx) one answers none and leaves it pending.
   */
  boolean answersHead(HttpResponse response) {
    return response.status().codeClass() != HttpStatusClass.INFORMATIONAL && HttpMethod.HEAD.equals(answered());
  }
}
