package io.meshfed.gateway.l7.codec;

import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayDeque;

/**
 * The methods of the requests an HTTP/1.1 connection decoded and has not answered yet, oldest first (responses go out
 * in request order, RFC 9112 §9.3.2): the response encoder needs to know which answer a HEAD, whose response has no
 * body whatever its framing headers say (RFC 9110 §9.3.2). One per connection; event-loop confined.
 */
public final class PendingMethods {

  private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);

  /** The decoder read a request. */
  public void requested(HttpMethod method) {
    methods.add(method);
  }

  /** A final response goes out: the method of the request it answers, or null when none is pending. */
  HttpMethod answered() {
    return methods.poll();
  }
}
