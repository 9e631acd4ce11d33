package io.meshfed.control.plane.xds;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * Independent tasks {@code 0..n-1} run in fixed chunks on the common fork-join pool (the calling thread takes part),
 * their results returned in index order: when each result depends on its index alone, the output does not depend on
 * the threads (docs/translation.md, "Speed"). Snapshots serialise their large batches this way, and the translator
 * builds its clusters, load assignments and east-west filter chains this way.
 *
 * <p>A chunk stops at its first failure; once every chunk has ended, the failure of the lowest index is rethrown, the
 * one a loop would have met first (a parallel stream would rethrow whichever failed first in time).
 */
public final class OrderedChunks {

    /** Chunks of 256 tasks; fewer tasks than that run on the calling thread alone. */
    public static final OrderedChunks DEFAULT = new OrderedChunks(256);
    /**
     * Every task on the calling thread, in order, and {@link #parallel} false whatever the count: the straightforward
     * path the parallel ones are tested against.
     */
    public static final OrderedChunks SEQUENTIAL = new OrderedChunks(Integer.MAX_VALUE);

    private final int size;

    private OrderedChunks(int size) {
        this.size = size;
    }

    /** The {@code i}th task, given the state of its chunk (confined to the chunk's thread, e.g. a digest). */
    public interface Task<S, T> {
        T run(S state, int i);
    }

    /** Whether {@code n} tasks are worth running in parallel (at least one full chunk). */
    public boolean parallel(int n) {
        return n >= size;
    }

    /**
     * The results of {@code task} for {@code 0..n-1}, in that order; {@code state} is called once per chunk.
     *
     * @throws RuntimeException the failure of the lowest failing index, if any
     */
    public <S, T> List<T> map(int n, Supplier<S> state, Task<S, T> task) {
        if (!parallel(n)) {
            return Chunk.of(0, n, state, task).results();
        }
        int chunks = (n + size - 1) / size;
        List<Chunk<T>> done = IntStream.range(0, chunks).parallel()
                .mapToObj(c -> Chunk.of(c * size, Math.min(n, (c + 1) * size), state, task))
                .toList();
        List<T> out = new ArrayList<>(n);
        for (Chunk<T> chunk : done) {
            out.addAll(chunk.results());
        }
        return out;
    }

    /** The results of {@code task} for {@code 0..n-1}, in that order (tasks without per-chunk state). */
    public <T> List<T> map(int n, IntFunction<T> task) {
        return map(n, () -> null, (s, i) -> task.apply(i));
    }

    /** One chunk's results, or the exception its first failing task raised. */
    private record Chunk<T>(List<T> resultsOrEmpty, RuntimeException failure) {

        static <S, T> Chunk<T> of(int from, int to, Supplier<S> state, Task<S, T> task) {
            List<T> out = new ArrayList<>(to - from);
            try {
                S s = state.get();
                for (int i = from; i < to; i++) {
                    out.add(task.run(s, i));
                }
                return new Chunk<>(out, null);
            } catch (RuntimeException e) {
                return new Chunk<>(List.of(), e);
            }
        }

        List<T> results() {
            if (failure != null) {
                throw failure;
            }
            return resultsOrEmpty;
        }
    }
}
