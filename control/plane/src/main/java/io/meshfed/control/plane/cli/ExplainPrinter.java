package io.meshfed.control.plane.cli;

import io.meshfed.control.client.flags.Cause;
import io.meshfed.control.client.flags.FlagExplanation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Prints flag explanations for people (wrapped text) and for programs (JSON). */
final class ExplainPrinter {

  static final int WIDTH = 100;

  private ExplainPrinter() {
  }

  static void human(PrintWriter out, FlagExplanation explanation) {
    out.println(explanation.subject() + "  " + explanation.title() + "  (typical status: "
        + explanation.typicalStatus() + ")");
    out.println();
    out.println("What happened");
    wrap(out, "  ", "  ", explanation.whatHappened());
    out.println();
    out.println("Likely causes, most common first");
    int number = 1;
    for (Cause cause : explanation.causes()) {
      out.println("  " + number++ + ". " + cause.name());
      wrap(out, "     why:     ", "              ", cause.why());
      String label = "     confirm: ";
      for (String check : cause.confirm()) {
        wrap(out, label + "- ", "                ", check);
        label = "              ";
      }
      wrap(out, "     fix:     ", "              ", cause.fix());
    }
  }

  static JsonObject json(FlagExplanation explanation) {
    JsonArray causes = new JsonArray();
    for (Cause cause : explanation.causes()) {
      causes.add(new JsonObject().put("name", cause.name()).put("why", cause.why())
          .put("confirm", new JsonArray(cause.confirm())).put("fix", cause.fix()));
    }
    return new JsonObject().put("subject", explanation.subject()).put("title", explanation.title())
        .put("typical_status", explanation.typicalStatus()).put("what_happened", explanation.whatHappened())
        .put("causes", causes);
  }

  /** Word-wraps {@code text} to {@link #WIDTH} columns: the first line after {@code first}, then after {@code rest}. */
  static void wrap(PrintWriter out, String first, String rest, String text) {
    for (String line : lines(first, rest, text)) {
      out.println(line);
    }
  }

  static List<String> lines(String first, String rest, String text) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder(first);
    int prefix = first.length();
    for (String word : text.split(" ")) {
      if (line.length() > prefix && line.length() + 1 + word.length() > WIDTH) {
        lines.add(line.toString());
        line = new StringBuilder(rest);
        prefix = rest.length();
      }
      if (line.length() > prefix) {
        line.append(' ');
      }
      line.append(word);
    }
    lines.add(line.toString());
    return lines;
  }
}
