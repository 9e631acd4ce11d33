package io.meshfed.control.plane.translate;

import io.meshfed.control.plane.xds.Snapshot;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The result of one translation: a {@link Snapshot} per gateway group of the view, the problems met, and what the
 * translation did.
 *
 * @param snapshots by group key: hand each to {@code SnapshotCache.setSnapshot(key, snapshot)} (unchanged ones keep
 *     their versions and push nothing); groups of the previous translation that are absent here should be cleared
 * @param problems every problem, each once with the groups it concerns
 * @param changedGroups the groups whose snapshot differs from the previous translation's
 * @param stats how the translation went
 */
public record Translation(Map<String, Snapshot> snapshots, List<TranslationProblem> problems,
    Set<String> changedGroups, Stats stats) {

  public Translation {
    snapshots = Collections.unmodifiableMap(new TreeMap<>(snapshots));
    problems = List.copyOf(problems);
    changedGroups = Set.copyOf(changedGroups);
    Objects.requireNonNull(stats, "stats");
  }

  /**
   * @param incremental true when only endpoints changed and only the affected load assignments were rebuilt
   * @param elapsed wall-clock time of the translation
   * @param services services known (Kubernetes, exported by other clusters, ServiceEntry hosts)
   * @param resources resources in all snapshots together
   * @param changedResources resources rebuilt or removed, summed over groups
   */
  public record Stats(boolean incremental, Duration elapsed, int services, int resources, int changedResources) {
  }
}
