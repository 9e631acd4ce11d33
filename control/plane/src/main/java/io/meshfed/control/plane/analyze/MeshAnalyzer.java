package io.meshfed.control.plane.analyze;

import io.meshfed.control.plane.istio.Message;
import io.meshfed.control.plane.istio.MessageType;
import java.util.List;
import java.util.function.Consumer;

/** One check across the clusters of a mesh (federation checks). Reported messages name their cluster. */
public interface MeshAnalyzer {

  List<MessageType> reports();

  void analyze(List<ClusterConfig> clusters, Consumer<Message> report);
}
