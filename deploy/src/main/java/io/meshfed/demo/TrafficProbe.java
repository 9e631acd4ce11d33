package io.meshfed.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * Sends real requests through an ingress gateway until one is served by the expected workload, so the demo says
 * "ready" only once traffic flows end to end. Blocking (the demo's main thread); polls every 200 ms up to a deadline
 * and reports the last answer it saw (status, {@code x-meshfed-flags}, served-by) when it gives up.
 */
final class TrafficProbe {

  private static final long POLL_MILLIS = 200;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** One answer, or why there was none. */
  record Observation(int status, String servedBy, String flags, String error) {

    @Override
    public String toString() {
      if (error != null) {
        return error;
      }
      return "HTTP " + status + (servedBy == null ? "" : ", served by " + servedBy)
          + (flags == null ? "" : ", response flags " + flags);
    }
  }

  /** One request. */
  Observation get(String url) throws InterruptedException {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return new Observation(response.statusCode(),
          response.headers().firstValue(SampleBackend.SERVED_BY).orElse(null),
          response.headers().firstValue("x-meshfed-flags").orElse(null), null);
    } catch (IOException e) {
      return new Observation(0, null, null, e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
  }

  /**
   * Polls {@code url} until an answer is 200 and served by a workload {@code servedBy} accepts.
   *
   * @throws DemoException naming the URL, what was expected and the last answer, after {@code timeout}
   */
  Observation await(String url, String expected, Predicate<String> servedBy, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Observation last = get(url);
    while (last.status() != 200 || last.servedBy() == null || !servedBy.test(last.servedBy())) {
      if (System.nanoTime() > deadline) {
        throw DemoException.failed("no traffic through " + url + " within " + timeout.toSeconds() + " s: last "
            + "answer " + last + " (expected: HTTP 200 served by " + expected + "; see the gateways' admin "
            + "/config_dump and `meshfed proxy-status`)", null);
      }
      Thread.sleep(POLL_MILLIS);
      last = get(url);
    }
    return last;
  }
}
