package io.meshfed.it.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** One HTTP GET from the test's namespace with a bound, reduced to what the chaos checks look at. */
final class Probe {

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  private Probe() {
  }

  /**
   * What came back: the status (0 when nothing did), {@code x-meshfed-served-by}, the response flags
   * ({@code x-meshfed-flags}), the body, how long it took, and the I/O error or timeout when nothing came back.
   */
  record Answer(int status, String servedBy, String flags, String body, long millis, String error) {
    boolean ok() {
      return status == 200;
    }

    /** The cluster that served it ({@code west} of {@code west/ratings/v1}), or empty. */
    String cluster() {
      int slash = servedBy.indexOf('/');
      return slash < 0 ? "" : servedBy.substring(0, slash);
    }

    @Override
    public String toString() {
      return status == 0 ? "no answer after " + millis + " ms: " + error
          : "HTTP " + status + (servedBy.isEmpty() ? "" : " served by " + servedBy)
              + (flags.isEmpty() ? "" : " flags " + flags) + " in " + millis + " ms";
    }
  }

  static Answer get(String url, Duration timeout) {
    long start = System.nanoTime();
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).build(),
          HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.headers().firstValue("x-meshfed-served-by").orElse(""),
          response.headers().firstValue("x-meshfed-flags").orElse(""), response.body(), elapsed(start), "");
    } catch (IOException e) {
      return new Answer(0, "", "", "", elapsed(start), e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(0, "", "", "", elapsed(start), "interrupted");
    }
  }

  private static long elapsed(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }
}
