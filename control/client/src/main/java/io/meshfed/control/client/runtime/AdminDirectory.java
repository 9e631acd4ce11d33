package io.meshfed.control.client.runtime;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where the gateways' admin servers are, per cluster and role: the file {@code meshfed explain --from FILE} reads
 * (and {@code meshfed demo} writes). The format is JSON:
 *
 * <pre>
 * {"clusters": {
 *    "east": {"ingress": "http://127.0.1.10:15000", "eastwest": ["http://127.0.1.11:15000"]},
 *    "west": {"eastwest": "http://127.0.2.11:15000"}}}
 * </pre>
 *
 * A role maps to one URL or a list of them (replicas).
 *
 * @param endpoints every admin server, in file order
 */
public record AdminDirectory(List<Endpoint> endpoints) {

  private static final Set<String> ROLES = Set.of("eastwest", "ingress", "egress");

  /**
   * One gateway's admin server.
   *
   * @param cluster the cluster id
   * @param role {@code eastwest}, {@code ingress} or {@code egress}
   * @param url the admin base URL ({@code http://127.0.1.10:15000})
   */
  public record Endpoint(String cluster, String role, URI url) {
    public Endpoint {
      Objects.requireNonNull(cluster, "cluster");
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(url, "url");
    }
  }

  public AdminDirectory {
    endpoints = List.copyOf(endpoints);
  }

  /**
   * Reads a directory file.
   *
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException naming the file and the field when the content is not the format above
   */
  public static AdminDirectory read(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
  }

  /**
   * Parses the JSON format above.
   *
   * @param source what to call the input in errors (the file name)
   * @throws IllegalArgumentException naming the source and the field when the content is not the format above
   */
  public static AdminDirectory parse(String json, String source) {
    JsonObject root;
    try {
      root = new JsonObject(json);
    } catch (DecodeException e) {
      throw new IllegalArgumentException(source + ": not JSON: " + e.getMessage()
          + " (expected: {\"clusters\": {\"<cluster>\": {\"<role>\": \"<admin URL>\"}}})", e);
    }
    Object clusters = root.getValue("clusters");
    if (!(clusters instanceof JsonObject clusterMap)) {
      throw new IllegalArgumentException(source + ": clusters: " + clusters
          + " (expected: an object of cluster id to roles, {\"east\": {\"ingress\": \"http://127.0.1.10:15000\"}})");
    }
    List<Endpoint> endpoints = new ArrayList<>();
    for (Map.Entry<String, Object> cluster : clusterMap) {
      if (!(cluster.getValue() instanceof JsonObject roles)) {
        throw new IllegalArgumentException(source + ": clusters." + cluster.getKey() + ": " + cluster.getValue()
            + " (expected: an object of role to admin URL)");
      }
      for (Map.Entry<String, Object> role : roles) {
        String field = "clusters." + cluster.getKey() + "." + role.getKey();
        if (!ROLES.contains(role.getKey())) {
          throw new IllegalArgumentException(source + ": " + field + ": unknown role " + role.getKey()
              + " (expected: eastwest, ingress or egress)");
        }
        for (String url : urls(source, field, role.getValue())) {
          endpoints.add(new Endpoint(cluster.getKey(), role.getKey(), uri(source, field, url)));
        }
      }
    }
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException(source + ": clusters: lists no admin URL (expected: at least one)");
    }
    return new AdminDirectory(endpoints);
  }

  /** The JSON form, as {@link #parse} reads it. */
  public String toJson() {
    JsonObject clusters = new JsonObject();
    for (Endpoint endpoint : endpoints) {
      JsonObject roles = clusters.getJsonObject(endpoint.cluster());
      if (roles == null) {
        roles = new JsonObject();
        clusters.put(endpoint.cluster(), roles);
      }
      JsonArray urls = roles.getJsonArray(endpoint.role());
      if (urls == null) {
        urls = new JsonArray();
        roles.put(endpoint.role(), urls);
      }
      urls.add(endpoint.url().toString());
    }
    return new JsonObject().put("clusters", clusters).encodePrettily();
  }

  private static List<String> urls(String source, String field, Object value) {
    if (value instanceof String url) {
      return List.of(url);
    }
    if (value instanceof JsonArray array && !array.isEmpty()
        && array.stream().allMatch(item -> item instanceof String)) {
      return array.stream().map(String.class::cast).toList();
    }
    throw new IllegalArgumentException(source + ": " + field + ": " + value
        + " (expected: an admin URL such as \"http://127.0.1.10:15000\", or a list of them)");
  }

  private static URI uri(String source, String field, String url) {
    try {
      URI uri = new URI(url);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new URISyntaxException(url, "not an http(s) URL with a host");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(source + ": " + field + ": " + url
          + " (expected: an admin URL such as \"http://127.0.1.10:15000\")", e);
    }
  }
}
