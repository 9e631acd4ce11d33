package io.meshfed.control.plane.webhook;

import io.meshfed.control.plane.analyze.Analysis;
import io.meshfed.control.plane.analyze.AnalysisReport;
import io.meshfed.control.plane.config.ConfigSnapshot;
import io.meshfed.control.plane.config.RawResource;
import io.meshfed.control.plane.config.SnapshotBuilder;
import io.meshfed.control.plane.config.SourceContents;
import io.meshfed.control.plane.istio.MeshSettings;
import io.meshfed.control.plane.istio.Message;
import io.meshfed.control.plane.istio.Origin;
import io.meshfed.control.plane.istio.ResourceParser;
import io.meshfed.control.plane.istio.Severity;
import io.meshfed.control.plane.istio.Values;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Decides one Kubernetes {@code AdmissionReview} (admission.k8s.io/v1): the object is read by the same parser and
 * analysis as {@code meshfed analyze} (a snapshot of that one object through {@link SnapshotBuilder}, then
 * {@link Analysis#standard()}), so the webhook never has its own rules. Like Istio's validating webhook it judges
 * the object alone: the per-object checks (MF00xx) decide, and the checks across objects (MF01xx: a host or Gateway
 * not found, conflicts) are left to {@code meshfed analyze}, since objects arrive one by one in any order. Errors
 * reject the object with the analyzer's messages; warnings are returned as admission warnings ({@code kubectl}
 * prints them).
 */
public final class AdmissionValidator {

  static final Set<String> GROUPS = Set.of("networking.istio.io", "security.istio.io", "multicluster.x-k8s.io");
  private static final int MAX_WARNINGS = 20;
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private final MeshSettings mesh;
  private final Analysis analysis = Analysis.standard();

  public AdmissionValidator(MeshSettings mesh) {
    this.mesh = mesh;
  }

  /** The AdmissionReview answering {@code review}. Never throws for bad input: that is a denial with a reason. */
  public JsonObject review(JsonObject review) {
    JsonObject request = review == null ? null : review.getJsonObject("request");
    if (request == null || request.getString("uid") == null) {
      throw new IllegalArgumentException("AdmissionReview: no request.uid (expected: an admission.k8s.io/v1 "
          + "AdmissionReview request)");
    }
    JsonObject response = decide(request).put("uid", request.getString("uid"));
    return new JsonObject().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview")
        .put("response", response);
  }

  private JsonObject decide(JsonObject request) {
    JsonObject kind = request.getJsonObject("kind", new JsonObject());
    String operation = request.getString("operation", "");
    JsonObject object = request.getJsonObject("object");
    if (!GROUPS.contains(kind.getString("group", "")) || object == null
        || !(operation.equals("CREATE") || operation.equals("UPDATE"))) {
      return allowed(List.of());
    }
    String namespace = request.getString("namespace");
    JsonObject metadata = object.getJsonObject("metadata", new JsonObject());
    if (namespace != null && metadata.getString("namespace") == null) {
      object = object.copy();
      object.getJsonObject("metadata", new JsonObject()).put("namespace", namespace);
    }
    List<Message> messages = messagesFor(object, kind.getString("kind", "object") + " "
        + (namespace == null ? "" : namespace + "/") + metadata.getString("name", metadata.getString("generateName",
            "")));
    List<String> errors = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    for (Message message : messages) {
      String line = "[" + message.code() + "] " + message.text() + " (fix: " + message.fix() + ")";
      if (message.severity() == Severity.ERROR) {
        errors.add(line);
      } else if (message.severity() == Severity.WARNING && warnings.size() < MAX_WARNINGS) {
        warnings.add(line);
      }
    }
    if (errors.isEmpty()) {
      return allowed(warnings);
    }
    JsonObject response = new JsonObject().put("allowed", false)
        .put("status", new JsonObject().put("code", 400).put("reason", "Invalid")
            .put("message", "meshfed: " + String.join("; ", errors)));
    if (!warnings.isEmpty()) {
      response.put("warnings", new JsonArray(warnings));
    }
    return response;
  }

  /** The analyzer's per-object messages for one object. */
  List<Message> messagesFor(JsonObject object, String source) {
    Object tree;
    try {
      // Plain maps and lists, as the YAML reader makes them (a JsonObject may hold nested JsonObjects).
      tree = JSON.readValue(object.encode(), Object.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("object: not JSON: " + e.getOriginalMessage(), e);
    }
    RawResource raw = RawResource.document(Values.fromJava(tree), Origin.of("admission " + source));
    ConfigSnapshot snapshot = new SnapshotBuilder(new ResourceParser(mesh))
        .build(List.of(new SourceContents("admission", List.of(raw), List.of())), ConfigSnapshot.empty(mesh));
    AnalysisReport report = analysis.run(snapshot);
    List<Message> out = new ArrayList<>();
    for (Message message : report.messages()) {
      if (message.code().startsWith("MF00")) {
        out.add(message);
      }
    }
    return out;
  }

  private static JsonObject allowed(List<String> warnings) {
    JsonObject response = new JsonObject().put("allowed", true);
    if (!warnings.isEmpty()) {
      response.put("warnings", new JsonArray(warnings));
    }
    return response;
  }
}
