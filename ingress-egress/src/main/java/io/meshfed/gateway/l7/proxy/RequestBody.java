package io.meshfed.gateway.l7.proxy;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayList;

/**
 * The downstream request body as it arrives. Chunks are kept only as long as needed: until the current attempt
 * wrote them, or — while the request may still be retried or mirrored — until the exchange ends, up to a cap
 * beyond which retries are given up (Envoy's retry buffer overflow). Indexes are absolute chunk numbers.
 * Event-loop confined.
 */
final class RequestBody {

  private final ArrayList<HttpContent> chunks = new ArrayList<>();
  private final long cap;
  private int base;
  private long bytes;
  private boolean complete;
  private boolean replayable;

  RequestBody(boolean replayable, long cap) {
    this.replayable = replayable;
    this.cap = cap;
  }

  /** Takes ownership of {@code chunk}. */
  void add(HttpContent chunk) {
    chunks.add(chunk);
    bytes += chunk.content().readableBytes();
    if (chunk instanceof LastHttpContent) {
      complete = true;
    }
    if (replayable && bytes > cap) {
      replayable = false;
    }
  }

  /** The index after the last chunk received. */
  int end() {
    return base + chunks.size();
  }

  /** A retained duplicate of chunk {@code index}, for writing. */
  HttpContent get(int index) {
    return chunks.get(index - base).retainedDuplicate();
  }

  /** The attempt has written everything below {@code index}; without replay those chunks can go. */
  void written(int index) {
    if (replayable) {
      return;
    }
    while (base < index && !chunks.isEmpty()) {
      chunks.remove(0).release();
      base++;
    }
  }

  /** True when a new attempt can send the whole body from the start. */
  boolean replayable() {
    return replayable && base == 0;
  }

  boolean complete() {
    return complete;
  }

  /** True when the whole body, not yet written, is one empty end without trailers (a bodiless request). */
  boolean onlyAnEmptyEnd() {
    return base == 0 && chunks.size() == 1 && chunks.get(0) instanceof LastHttpContent last
        && !last.content().isReadable() && last.trailingHeaders().isEmpty();
  }

  long bytes() {
    return bytes;
  }

  void release() {
    for (HttpContent chunk : chunks) {
      chunk.release();
    }
    base += chunks.size();
    chunks.clear();
    replayable = false;
  }
}
