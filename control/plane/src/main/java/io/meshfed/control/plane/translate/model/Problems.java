package io.meshfed.control.plane.translate.model;

import io.meshfed.control.plane.istio.ConfigResource;
import io.meshfed.control.plane.istio.ResourceKey;
import io.meshfed.control.plane.translate.TranslationProblem;
import io.meshfed.control.plane.translate.TranslationProblem.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Collects the problems of one translation; the same problem met for several groups is reported once, naming them
 * all. Not thread-safe.
 */
public final class Problems {

  private record Key(Kind kind, Optional<ResourceKey> object, String field, String detail) {
  }

  private final Map<Key, Entry> problems = new LinkedHashMap<>();
  private String group = "";

  private static final class Entry {
    final TranslationProblem problem;
    final TreeSet<String> groups = new TreeSet<>();

    Entry(TranslationProblem problem) {
      this.problem = problem;
    }
  }

  /** The group being translated; problems reported from now on name it. */
  public void group(String key) {
    this.group = key;
  }

  /** A problem about a config object. */
  public void report(Kind kind, ConfigResource object, String field, String detail, String fix) {
    add(new TranslationProblem(kind, Optional.of(object.key()), Optional.of(object.meta().origin()), field, detail,
        fix, List.of()));
  }

  /** A problem about a Kubernetes object or nothing in particular. */
  public void report(Kind kind, Optional<ResourceKey> object, String field, String detail, String fix) {
    add(new TranslationProblem(kind, object, Optional.empty(), field, detail, fix, List.of()));
  }

  private void add(TranslationProblem problem) {
    Entry entry = problems.computeIfAbsent(new Key(problem.kind(), problem.object(), problem.field(),
        problem.detail()), k -> new Entry(problem));
    if (!group.isEmpty()) {
      entry.groups.add(group);
    }
  }

  /** Reports problems met earlier (a cached result's), naming the current group. */
  public void replay(List<TranslationProblem> earlier) {
    for (TranslationProblem p : earlier) {
      add(new TranslationProblem(p.kind(), p.object(), p.origin(), p.field(), p.detail(), p.fix(), List.of()));
    }
  }

  /** Adds a problem with the groups it already names (and the current group, if any). */
  public void merge(TranslationProblem problem) {
    add(new TranslationProblem(problem.kind(), problem.object(), problem.origin(), problem.field(),
        problem.detail(), problem.fix(), List.of()));
    Entry entry = problems.get(new Key(problem.kind(), problem.object(), problem.field(), problem.detail()));
    entry.groups.addAll(problem.groups());
  }

  /** Every problem, in the order first met. */
  public List<TranslationProblem> all() {
    List<TranslationProblem> all = new ArrayList<>(problems.size());
    for (Entry e : problems.values()) {
      TranslationProblem p = e.problem;
      all.add(new TranslationProblem(p.kind(), p.object(), p.origin(), p.field(), p.detail(), p.fix(),
          List.copyOf(e.groups)));
    }
    return all;
  }
}
