package io.meshfed.control.client.accesslog;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One gateway's access log. {@link #log(AccessLogEntry)} never blocks: it offers the entry to a bounded queue and
 * counts it as dropped when the queue is full. One worker thread owns everything behind the queue: it records every
 * entry in {@link RecentRequests}, applies the filter and the sampling, encodes JSON and writes the sink.
 *
 * <p>Metrics: {@code meshfed_accesslog_written_total}, {@code meshfed_accesslog_dropped_total} (queue full) and
 * {@code meshfed_accesslog_write_failures_total} (the sink failed).
 */
public final class AccessLogger implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AccessLogger.class);
  private static final int BATCH = 256;

  private final AccessLogFilter filter;
  private final double sampling;
  private final AccessLogSink sink;
  private final RecentRequests recent;
  private final BlockingQueue<AccessLogEntry> queue;
  private final LongAdder dropped = new LongAdder();
  private final LongAdder written = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private final Thread worker;
  private volatile boolean closing;

  private AccessLogger(Builder builder) {
    this.filter = builder.filter;
    this.sampling = builder.sampling;
    this.sink = builder.sink;
    this.recent = builder.recent != null ? builder.recent : new RecentRequests(builder.recentCapacity);
    this.queue = new ArrayBlockingQueue<>(builder.queueCapacity);
    if (builder.registry != null) {
      FunctionCounter.builder("meshfed_accesslog_written_total", written, LongAdder::doubleValue)
          .description("Access-log lines written").register(builder.registry);
      FunctionCounter.builder("meshfed_accesslog_dropped_total", dropped, LongAdder::doubleValue)
          .description("Access-log entries dropped because the queue was full").register(builder.registry);
      FunctionCounter.builder("meshfed_accesslog_write_failures_total", failures, LongAdder::doubleValue)
          .description("Access-log lines the sink failed to write").register(builder.registry);
    }
    this.worker = new Thread(this::run, "meshfed-accesslog-" + builder.name);
    this.worker.setDaemon(true);
    this.worker.start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Queues an entry; never blocks. When the queue is full the entry is dropped and counted. */
  public void log(AccessLogEntry entry) {
    if (closing || !queue.offer(entry)) {
      dropped.increment();
    }
  }

  /** The ring of recent entries behind {@code /requestz}. */
  public RecentRequests recentRequests() {
    return recent;
  }

  public AccessLogFilter filter() {
    return filter;
  }

  /** Entries dropped because the queue was full (or the log was closed). */
  public long dropped() {
    return dropped.sum();
  }

  /** Lines written to the sink. */
  public long written() {
    return written.sum();
  }

  /**
   * Stops taking entries, writes what is queued (up to {@code timeout}), then closes the sink. Blocks the caller:
   * call it from a worker thread or at shutdown, not from an event loop.
   */
  public void close(Duration timeout) {
    closing = true;
    try {
      worker.join(Math.max(1, timeout.toMillis()));
      if (worker.isAlive()) {
        worker.interrupt();
        worker.join(1000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }

  private void run() {
    List<AccessLogEntry> batch = new ArrayList<>(BATCH);
    try {
      while (true) {
        AccessLogEntry first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closing) {
            break;
          }
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, BATCH - 1);
        for (AccessLogEntry entry : batch) {
          handle(entry);
        }
        batch.clear();
        if (queue.isEmpty()) {
          flush();
        }
      }
    } catch (InterruptedException e) {
      LOG.warn("access log: closed with {} entries still queued", queue.size());
    } finally {
      try {
        if (sink != null) {
          sink.close();
        }
      } catch (IOException e) {
        LOG.warn("access log: closing the sink failed: {}", e.toString());
      }
    }
  }

  private void handle(AccessLogEntry entry) {
    recent.add(entry);
    if (sink == null || !filter.test(entry)) {
      return;
    }
    if (sampling < 1.0 && ThreadLocalRandom.current().nextDouble() >= sampling) {
      return;
    }
    try {
      sink.write(AccessLogJson.encode(entry));
      written.increment();
    } catch (IOException | RuntimeException e) {
      failures.increment();
      // One warning per failure streak would be kinder to the log; the counter tells the rate.
      if (failures.sum() == 1 || failures.sum() % 1000 == 0) {
        LOG.warn("access log: writing failed ({} failures so far): {}", failures.sum(), e.toString());
      }
    }
  }

  private void flush() {
    if (sink == null) {
      return;
    }
    try {
      sink.flush();
    } catch (IOException e) {
      failures.increment();
      LOG.warn("access log: flushing failed: {}", e.toString());
    }
  }

  /** Builds an {@link AccessLogger}; validates each argument as it arrives. */
  public static final class Builder {
    private AccessLogFilter filter = AccessLogFilter.ALL;
    private double sampling = 1.0;
    private AccessLogSink sink;
    private RecentRequests recent;
    private int recentCapacity = 1024;
    private int queueCapacity = 8192;
    private MeterRegistry registry;
    private String name = "gateway";

    private Builder() {
    }

    /** Which entries to write; default all. */
    public Builder filter(AccessLogFilter filter) {
      this.filter = Objects.requireNonNull(filter, "filter");
      return this;
    }

    /**
     * The share of filtered entries to write, 0.0 to 1.0; default 1.0.
     */
    public Builder sampling(double sampling) {
      if (!(sampling >= 0.0 && sampling <= 1.0)) {
        throw new IllegalArgumentException("accessLog.sampling: " + sampling + " (expected: 0.0 to 1.0)");
      }
      this.sampling = sampling;
      return this;
    }

    /** Where lines go; without a sink, entries only reach {@link RecentRequests}. */
    public Builder sink(AccessLogSink sink) {
      this.sink = sink;
      return this;
    }

    /** The ring to record entries in; default a new one of 1024 entries. */
    public Builder recentRequests(RecentRequests recent) {
      this.recent = Objects.requireNonNull(recent, "recentRequests");
      return this;
    }

    public Builder recentCapacity(int recentCapacity) {
      if (recentCapacity < 1) {
        throw new IllegalArgumentException("recentCapacity: " + recentCapacity + " (expected: >= 1)");
      }
      this.recentCapacity = recentCapacity;
      return this;
    }

    /** How many entries may wait for the worker; default 8192. */
    public Builder queueCapacity(int queueCapacity) {
      if (queueCapacity < 1) {
        throw new IllegalArgumentException("queueCapacity: " + queueCapacity + " (expected: >= 1)");
      }
      this.queueCapacity = queueCapacity;
      return this;
    }

    /** Registers the written/dropped/failure counters here. */
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = registry;
      return this;
    }

    /** Names the worker thread ({@code meshfed-accesslog-<name>}). */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /** Starts the worker and returns the logger. */
    public AccessLogger build() {
      return new AccessLogger(this);
    }
  }
}
