package io.meshfed.control.plane.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * What {@code /ready} reports: the conditions the control plane waits for before it is ready (config synced,
 * federation synced or the remote-secret timeout passed, CA ready, listeners bound), and the degraded modes it
 * serves in once ready (Kubernetes API lost, Hazelcast lost, SVID renewal failing): a degraded control plane stays
 * ready, since its last snapshot keeps serving, and says why.
 *
 * <p>Components report from their own threads; each condition is one map entry replaced whole.
 */
public final class Readiness {

  /** The conditions of a start, in the order they are reported. */
  public static final List<String> CONDITIONS = List.of("ca", "config", "federation", "xds", "admin");

  private final Map<String, String> pending = new ConcurrentSkipListMap<>();
  private final Map<String, String> degraded = new ConcurrentHashMap<>();

  Readiness() {
    for (String condition : CONDITIONS) {
      pending.put(condition, "not started");
    }
  }

  /** A condition is met. */
  void met(String condition) {
    pending.remove(condition);
  }

  /** A condition is not met, and why. */
  void waiting(String condition, String why) {
    pending.put(condition, why);
  }

  /** A degraded mode is in force ({@code why}) or over ({@code why} null). */
  void degraded(String mode, String why) {
    if (why == null) {
      degraded.remove(mode);
    } else {
      degraded.put(mode, why);
    }
  }

  /** The current report. */
  public Report report() {
    List<String> waiting = new ArrayList<>();
    pending.forEach((condition, why) -> waiting.add(condition + ": " + why));
    List<String> modes = new ArrayList<>();
    new ConcurrentSkipListMap<>(degraded).forEach((mode, why) -> modes.add(mode + ": " + why));
    return new Report(waiting.isEmpty(), waiting, modes);
  }

  /**
   * One readiness answer.
   *
   * @param ready every condition is met
   * @param waiting the conditions not met, each {@code name: why}
   * @param degraded the degraded modes in force, each {@code name: why}
   */
  public record Report(boolean ready, List<String> waiting, List<String> degraded) {
    public Report {
      waiting = List.copyOf(waiting);
      degraded = List.copyOf(degraded);
    }

    /** The body {@code /ready} prints: {@code ready}, or {@code not ready}, then one reason per line. */
    public String text() {
      StringBuilder out = new StringBuilder(ready ? (degraded.isEmpty() ? "ready" : "ready (degraded)")
          : "not ready").append('\n');
      waiting.forEach(line -> out.append("waiting for ").append(line).append('\n'));
      degraded.forEach(line -> out.append("degraded: ").append(line).append('\n'));
      return out.toString();
    }
  }
}
