package io.meshfed.it.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sends GETs to one URL from a few threads, each waiting for its answer, until stopped, and counts every request
 * sent, every 200, which cluster served it, and every failure with when it happened: the "nothing lost" ledger.
 */
final class RequestLoop implements AutoCloseable {

  /** A request that did not get a 200, {@code atMillis} after the loop started. */
  record Failure(long atMillis, Probe.Answer answer) {
  }

  /** The ledger at the loop's end. */
  record Summary(long sent, long ok, long slowestMillis, Map<String, Long> servedByCluster, List<Failure> failures) {
    @Override
    public String toString() {
      return sent + " sent, " + ok + " answered 200, slowest " + slowestMillis + " ms, served by " + servedByCluster
          + (failures.isEmpty() ? "" : ", failures: " + failures);
    }
  }

  private static final long PAUSE_MILLIS = 5;

  private final String url;
  private final Duration timeout;
  private final long start = System.nanoTime();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();
  private final LongAdder sent = new LongAdder();
  private final LongAdder ok = new LongAdder();
  private final AtomicLong slowest = new AtomicLong();
  private final Map<String, LongAdder> served = new ConcurrentHashMap<>();
  private final List<Failure> failures = new CopyOnWriteArrayList<>();

  private RequestLoop(String url, Duration timeout) {
    this.url = url;
    this.timeout = timeout;
  }

  /** Starts {@code threads} senders; each waits for its answer (at most {@code timeout}) before sending the next. */
  static RequestLoop start(String url, int threads, Duration timeout) {
    RequestLoop loop = new RequestLoop(url, timeout);
    for (int i = 0; i < threads; i++) {
      Thread thread = new Thread(loop::send, "chaos-load-" + i);
      thread.setDaemon(true);
      loop.threads.add(thread);
      thread.start();
    }
    return loop;
  }

  private void send() {
    while (running.get()) {
      sent.increment();
      Probe.Answer answer = Probe.get(url, timeout);
      slowest.accumulateAndGet(answer.millis(), Math::max);
      if (answer.ok()) {
        ok.increment();
        served.computeIfAbsent(answer.cluster(), k -> new LongAdder()).increment();
      } else {
        failures.add(new Failure((System.nanoTime() - start) / 1_000_000, answer));
      }
      try {
        // A steady stream (at most ~200 requests/s per sender), not a benchmark: eight JVMs share two cores.
        Thread.sleep(PAUSE_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Requests answered 200 so far, by the cluster that served them. */
  Map<String, Long> servedByCluster() {
    Map<String, Long> out = new TreeMap<>();
    served.forEach((cluster, count) -> out.put(cluster, count.sum()));
    return out;
  }

  /** Stops sending, waits for the requests in flight, and returns the ledger. */
  Summary stop() throws InterruptedException {
    running.set(false);
    for (Thread thread : threads) {
      thread.join(timeout.toMillis() + 5_000);
    }
    return new Summary(sent.sum(), ok.sum(), slowest.get(), servedByCluster(), List.copyOf(failures));
  }

  @Override
  public void close() throws InterruptedException {
    if (running.get()) {
      stop();
    }
  }
}
