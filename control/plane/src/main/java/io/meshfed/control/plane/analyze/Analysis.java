package io.meshfed.control.plane.analyze;

import io.meshfed.control.plane.config.ConfigSnapshot;
import io.meshfed.control.plane.istio.Message;
import io.meshfed.control.plane.istio.ServiceExport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs every check over one cluster's snapshot, or over several clusters (adding the federation checks). The
 * report holds the snapshot's own messages (invalid objects, conflicts: what the control plane reports too) and
 * the analyzers'. Stateless and thread-safe.
 */
public final class Analysis {

  private final List<Analyzer> analyzers;
  private final List<MeshAnalyzer> meshAnalyzers;

  private Analysis(List<Analyzer> analyzers, List<MeshAnalyzer> meshAnalyzers) {
    this.analyzers = List.copyOf(analyzers);
    this.meshAnalyzers = List.copyOf(meshAnalyzers);
  }

  /** Every check meshfed has. */
  public static Analysis standard() {
    return new Analysis(List.of(new ReferenceAnalyzer(), new MtlsConflictAnalyzer(), new GatewayHostAnalyzer(),
        new PortNameAnalyzer(), new RetryTimeoutAnalyzer(), new OutlierDetectionAnalyzer(),
        new ServiceExportAnalyzer(), new RemoteSecretAnalyzer()),
        List.of(new ExportedPortsAnalyzer(), new RemoteClusterIdAnalyzer()));
  }

  public AnalysisReport run(ConfigSnapshot snapshot) {
    return run(List.of(new ClusterConfig("", snapshot)));
  }

  /** Analyzes each cluster, then the mesh; with several clusters every message names its cluster. */
  public AnalysisReport run(List<ClusterConfig> clusters) {
    Set<Message> messages = new LinkedHashSet<>();
    boolean several = clusters.size() > 1;
    for (ClusterConfig cluster : clusters) {
      Set<String> exportedElsewhere = new HashSet<>();
      for (ClusterConfig other : clusters) {
        if (other != cluster) {
          for (ServiceExport export : other.snapshot().serviceExports()) {
            exportedElsewhere.add(export.meta().name() + "." + export.meta().namespace() + ".svc."
                + other.snapshot().mesh().domainSuffix());
          }
        }
      }
      List<Message> found = new ArrayList<>(cluster.snapshot().messages());
      AnalysisContext context = new AnalysisContext(cluster.snapshot(), exportedElsewhere);
      for (Analyzer analyzer : analyzers) {
        analyzer.analyze(context, found::add);
      }
      for (Message message : found) {
        messages.add(several && message.cluster().isEmpty() ? message.inCluster(cluster.name()) : message);
      }
    }
    if (several) {
      for (MeshAnalyzer analyzer : meshAnalyzers) {
        analyzer.analyze(clusters, messages::add);
      }
    }
    List<Message> sorted = new ArrayList<>(messages);
    sorted.sort(Comparator.comparing((Message m) -> m.cluster().orElse(""))
        .thenComparing(m -> m.origin().source())
        .thenComparing(m -> m.origin().position().map(p -> p.line()).orElse(0))
        .thenComparing(Message::code));
    return new AnalysisReport(sorted);
  }
}
