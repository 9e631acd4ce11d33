package io.meshfed.federation.membership;

import com.hazelcast.logging.LogEvent;
import com.hazelcast.logging.LogListener;
import io.vertx.core.Handler;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns Hazelcast's warnings about join attempts from another cluster name into {@link MeshMismatch} reports.
 * Hazelcast refuses such members ({@code ClusterJoinManager}: "members part of different cluster";
 * {@code ClusterMismatchOp}: "could not join cluster") but only logs a warning without the names, and then ignores
 * them; this makes it a reported, counted error naming this member's mesh.
 */
final class MeshMismatchDetector implements LogListener {

  private static final Pattern JOIN_REQUEST = Pattern.compile("invalid join request from (\\S+?),? cause");
  private static final Pattern COULD_NOT_JOIN = Pattern.compile("could not join cluster at node: (\\S+)");

  private final String meshId;
  private final Handler<MeshMismatch> sink;

  MeshMismatchDetector(String meshId, Handler<MeshMismatch> sink) {
    this.meshId = meshId;
    this.sink = sink;
  }

  static Level level() {
    return Level.WARNING;
  }

  @Override
  public void log(LogEvent event) {
    String message = event.getLogRecord().getMessage();
    if (message == null) {
      return;
    }
    Matcher incoming = JOIN_REQUEST.matcher(message);
    if (message.contains("different cluster") && incoming.find()) {
      sink.handle(new MeshMismatch(incoming.group(1), "member at " + incoming.group(1)
          + " belongs to another mesh (its Hazelcast cluster name is not mesh id " + meshId + "); refused"));
      return;
    }
    Matcher outgoing = COULD_NOT_JOIN.matcher(message);
    if (outgoing.find() && message.contains("cluster-name")) {
      sink.handle(new MeshMismatch(outgoing.group(1), "this member (mesh " + meshId + ") could not join the member"
          + " at " + outgoing.group(1) + ": it runs another mesh id; check the mesh id on both"));
    }
  }
}
