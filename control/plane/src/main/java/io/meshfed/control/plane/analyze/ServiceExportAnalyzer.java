package io.meshfed.control.plane.analyze;

import io.meshfed.control.plane.istio.Message;
import io.meshfed.control.plane.istio.MessageType;
import io.meshfed.control.plane.istio.ServiceExport;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** A ServiceExport exports the Service of the same namespace and name, which must exist (MF0112). */
final class ServiceExportAnalyzer implements Analyzer {

  @Override
  public List<MessageType> reports() {
    return List.of(MessageType.SERVICE_EXPORT_WITHOUT_SERVICE);
  }

  @Override
  public void analyze(AnalysisContext context, Consumer<Message> report) {
    Set<String> services = new HashSet<>();
    context.snapshot().services()
        .forEach(s -> services.add(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName()));
    for (ServiceExport export : context.snapshot().serviceExports()) {
      String name = export.meta().namespace() + "/" + export.meta().name();
      if (!services.contains(name)) {
        report.accept(Message.of(MessageType.SERVICE_EXPORT_WITHOUT_SERVICE, export.key(), export.meta().origin(),
            "metadata.name", "no Service " + name + " to export; nothing is exported to the other clusters",
            "create Service " + name + ", or name the ServiceExport after an existing Service of namespace "
                + export.meta().namespace()));
      }
    }
  }
}
