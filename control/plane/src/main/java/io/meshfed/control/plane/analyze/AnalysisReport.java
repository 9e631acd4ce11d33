package io.meshfed.control.plane.analyze;

import io.meshfed.control.plane.istio.Message;
import io.meshfed.control.plane.istio.Severity;
import java.util.List;

/** The messages of one analysis, in file order. */
public record AnalysisReport(List<Message> messages) {

  public AnalysisReport {
    messages = List.copyOf(messages);
  }

  /** The messages at or above {@code threshold}. */
  public List<Message> atLeast(Severity threshold) {
    return messages.stream().filter(m -> m.severity().atLeast(threshold)).toList();
  }

  public boolean hasAtLeast(Severity threshold) {
    return messages.stream().anyMatch(m -> m.severity().atLeast(threshold));
  }

  public long count(Severity severity) {
    return messages.stream().filter(m -> m.severity() == severity).count();
  }
}
