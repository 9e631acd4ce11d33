package io.meshfed.control.plane.analyze;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.meshfed.control.plane.istio.Message;
import io.meshfed.control.plane.istio.Severity;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Prints a report for people ({@code istioctl analyze}'s layout, each message with its fix) or as JSON. */
public enum ReportFormat {
  HUMAN {
    @Override
    public void write(List<Message> messages, AnalysisReport report, PrintWriter out) {
      for (Message message : messages) {
        out.println(message);
        out.println("    Fix: " + message.fix());
      }
      if (report.messages().isEmpty()) {
        out.println("\u2714 No validation issues found.");
      } else {
        out.printf("%d error(s), %d warning(s), %d info(s)%s%n", report.count(Severity.ERROR),
            report.count(Severity.WARNING), report.count(Severity.INFO),
            messages.size() < report.messages().size()
                ? " (" + (report.messages().size() - messages.size()) + " below the output threshold not shown)" : "");
      }
      out.flush();
    }
  },
  JSON {
    @Override
    public void write(List<Message> messages, AnalysisReport report, PrintWriter out) {
      List<Map<String, Object>> json = new ArrayList<>();
      for (Message message : messages) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("code", message.code());
        entry.put("type", message.type().title());
        entry.put("level", message.severity().label());
        message.cluster().ifPresent(cluster -> entry.put("cluster", cluster));
        message.resource().ifPresent(key -> {
          entry.put("kind", key.kind());
          entry.put("namespace", key.namespace());
          entry.put("name", key.name());
        });
        entry.put("origin", message.origin().toString());
        entry.put("file", message.origin().source());
        message.origin().position().ifPresent(p -> {
          entry.put("line", p.line());
          entry.put("column", p.column());
        });
        entry.put("field", message.field());
        entry.put("message", message.text());
        entry.put("fix", message.fix());
        json.add(entry);
      }
      try {
        out.println(MAPPER.writeValueAsString(json));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException("cannot write the analysis as JSON", e);
      }
      out.flush();
    }
  };

  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Writes {@code messages} (the report filtered by the output threshold). */
  public abstract void write(List<Message> messages, AnalysisReport report, PrintWriter out);
}
