package io.meshfed.gateway.l7.upstream;

/** Learns whether a stream could be opened. Called on the requesting event loop, exactly once. */
public interface StreamCallback {

  /** The stream is ready for the request. */
  void onStream(UpstreamStream stream);

  /** No stream: connect failure or overflow. */
  void onFailure(UpstreamFailure failure);
}
