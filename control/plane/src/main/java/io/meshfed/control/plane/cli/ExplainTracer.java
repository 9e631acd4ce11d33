package io.meshfed.control.plane.cli;

import io.meshfed.control.client.accesslog.AccessLogJson;
import io.meshfed.control.client.runtime.AdminDirectory;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Asks every gateway's admin server ({@code GET /requestz?id=...}) what it saw of one request, all at once, each
 * with a timeout, and gathers the answers into an {@link ExplainTrace}. An admin server that does not answer is
 * reported, not fatal.
 */
final class ExplainTracer {

  private final HttpClient client;
  private final Duration timeout;

  ExplainTracer(Duration timeout) {
    this.client = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    this.timeout = timeout;
  }

  ExplainTrace trace(String requestId, List<AdminDirectory.Endpoint> admins) {
    List<CompletableFuture<Answer>> answers = new ArrayList<>();
    for (AdminDirectory.Endpoint admin : admins) {
      answers.add(ask(requestId, admin));
    }
    List<ExplainTrace.Hop> hops = new ArrayList<>();
    List<ExplainTrace.Unreachable> unreachable = new ArrayList<>();
    for (CompletableFuture<Answer> answer : answers) {
      Answer result = answer.join();
      hops.addAll(result.hops());
      if (result.error() != null) {
        unreachable.add(new ExplainTrace.Unreachable(result.admin().url(), result.error()));
      }
    }
    return new ExplainTrace(requestId, hops, unreachable, admins.size());
  }

  private record Answer(AdminDirectory.Endpoint admin, List<ExplainTrace.Hop> hops, String error) {
  }

  private CompletableFuture<Answer> ask(String requestId, AdminDirectory.Endpoint admin) {
    URI uri = URI.create(stripSlash(admin.url().toString()) + "/requestz?id="
        + URLEncoder.encode(requestId, StandardCharsets.UTF_8));
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
    return client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .thenApply(response -> parse(admin, response))
        .exceptionally(failure -> new Answer(admin, List.of(), describe(failure)));
  }

  private static Answer parse(AdminDirectory.Endpoint admin, HttpResponse<String> response) {
    if (response.statusCode() != 200 && response.statusCode() != 404) {
      return new Answer(admin, List.of(), "HTTP " + response.statusCode() + " from /requestz");
    }
    try {
      JsonObject body = new JsonObject(response.body());
      JsonObject gateway = body.getJsonObject("gateway", new JsonObject());
      JsonArray entries = body.getJsonArray("entries", new JsonArray());
      List<ExplainTrace.Hop> hops = new ArrayList<>();
      for (int i = 0; i < entries.size(); i++) {
        hops.add(new ExplainTrace.Hop(gateway.getString("name", admin.url().toString()),
            gateway.getString("namespace", ""), gateway.getString("cluster", admin.cluster()),
            gateway.getString("role", admin.role()), admin.url(), AccessLogJson.decode(entries.getJsonObject(i))));
      }
      return new Answer(admin, hops, null);
    } catch (DecodeException | ClassCastException | IllegalArgumentException e) {
      return new Answer(admin, List.of(), "not a meshfed /requestz answer: " + e.getMessage());
    }
  }

  private static String describe(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
        : failure;
    String message = cause.getMessage();
    return cause.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
