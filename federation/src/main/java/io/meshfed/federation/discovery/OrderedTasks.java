package io.meshfed.federation.discovery;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Runs independent tasks {@code 0..n-1} and returns their results in index order, on whatever threads it likes: an
 * {@link ExportIndex} hands it the recomputation of the services a bulk load touched, each a function of the index's
 * state alone (nothing writes it meanwhile), so a caller that owns a pool may spread them over it.
 */
@FunctionalInterface
public interface OrderedTasks {

  /** Every task on the calling thread, in order. */
  OrderedTasks SEQUENTIAL = new OrderedTasks() {
    @Override
    public <T> List<T> map(int n, IntFunction<T> task) {
      List<T> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        out.add(task.apply(i));
      }
      return out;
    }
  };

  /** The results of {@code task} for {@code 0..n-1}, in that order. */
  <T> List<T> map(int n, IntFunction<T> task);
}
