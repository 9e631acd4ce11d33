package io.meshfed.control.plane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** GETs JSON from admin endpoints for the CLI (blocking: the CLI has no event loop to protect). */
final class AdminHttp {

  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client;
  private final Duration timeout;

  AdminHttp(Duration timeout) {
    this.timeout = timeout;
    this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /** The JSON at {@code base + path}; an {@link IOException} names the URL and what went wrong. */
  JsonNode get(String base, String path) throws IOException {
    String url = base.replaceAll("/+$", "") + path;
    HttpResponse<String> response;
    try {
      response = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(url + ": interrupted", e);
    } catch (IOException | IllegalArgumentException e) {
      throw new IOException(url + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
    }
    if (response.statusCode() != 200) {
      String body = response.body() == null ? "" : response.body().strip();
      throw new IOException(url + ": HTTP " + response.statusCode() + (body.isEmpty() ? "" : ": "
          + (body.length() > 300 ? body.substring(0, 300) + "..." : body)));
    }
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new IOException(url + ": not JSON: " + e.getMessage(), e);
    }
  }
}
