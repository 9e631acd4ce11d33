package io.meshfed.gateway.l7.upstream;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;

/** Receives one upstream stream's response. Called on the event loop that owns the stream. */
public interface StreamListener {

  /** The final response head (1xx other than 101 are dropped). Not a {@code FullHttpResponse}. */
  void onResponseHead(HttpResponse head);

  /** A body chunk; a {@link io.netty.handler.codec.http.LastHttpContent} ends it. Ownership moves to the listener. */
  void onResponseBody(HttpContent content);

  /** The stream failed before its response completed. */
  void onReset(UpstreamFailure failure);

  /** The stream can take more request bytes again. */
  void onWritable();

  /** The connection finished a read: whatever it delivered in this read has been delivered. */
  default void onReadComplete() {
  }
}
