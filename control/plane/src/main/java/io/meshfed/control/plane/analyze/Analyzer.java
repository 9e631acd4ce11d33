package io.meshfed.control.plane.analyze;

import io.meshfed.control.plane.istio.Message;
import io.meshfed.control.plane.istio.MessageType;
import java.util.List;
import java.util.function.Consumer;

/** One check over one cluster's config. Implementations are stateless. */
public interface Analyzer {

  /** The message types this check can report. */
  List<MessageType> reports();

  void analyze(AnalysisContext context, Consumer<Message> report);
}
