package io.meshfed.control.client.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLoggerTest {

  /** A sink that keeps lines in memory and can be made to block, like a stuck disk. */
  static final class MemorySink implements AccessLogSink {
    final List<String> lines = new CopyOnWriteArrayList<>();
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch entered = new CountDownLatch(1);
    volatile boolean block;

    @Override
    public void write(String line) throws IOException {
      if (block) {
        entered.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      lines.add(line);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  }

  static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  @Test
  void writesFilteredEntriesAsJsonLinesAndRemembersAllOfThem() throws Exception {
    MemorySink sink = new MemorySink();
    try (AccessLogger logger = AccessLogger.builder().sink(sink)
        .filter(AccessLogFilter.parse("response.code >= 400")).build()) {
      logger.log(AccessLogFilterTest.request().requestId("ok-1").responseCode(200).build());
      logger.log(AccessLogFilterTest.request().requestId("bad-1").responseCode(503).build());
      await(() -> logger.recentRequests().find("bad-1").size() == 1 && logger.written() == 1);
      assertThat(sink.lines).singleElement()
          .satisfies(line -> assertThat(new JsonObject(line).getString("x_request_id")).isEqualTo("bad-1"));
      // Filtered out of the log, still explainable.
      assertThat(logger.recentRequests().find("ok-1")).hasSize(1);
    }
  }

  @Test
  void samplingZeroWritesNothingButStillRecords() throws Exception {
    MemorySink sink = new MemorySink();
    try (AccessLogger logger = AccessLogger.builder().sink(sink).sampling(0.0).build()) {
      for (int i = 0; i < 50; i++) {
        logger.log(AccessLogFilterTest.request().requestId("r" + i).build());
      }
      await(() -> logger.recentRequests().find("r49").size() == 1);
      assertThat(sink.lines).isEmpty();
    }
  }

  @Test
  void samplingWritesAboutTheConfiguredShare() throws Exception {
    MemorySink sink = new MemorySink();
    try (AccessLogger logger = AccessLogger.builder().sink(sink).sampling(0.25).queueCapacity(10_000).build()) {
      for (int i = 0; i < 4000; i++) {
        logger.log(AccessLogFilterTest.request().requestId("r" + i).build());
      }
      await(() -> logger.recentRequests().find("r3999").size() == 1);
      // 4000 draws at p = 0.25: mean 1000, standard deviation about 27; 200 is over 7 of them.
      assertThat(sink.lines.size()).isBetween(800, 1200);
    }
  }

  @Test
  void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
    MemorySink sink = new MemorySink();
    sink.block = true;
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AccessLogger logger = AccessLogger.builder().sink(sink).queueCapacity(4).meterRegistry(registry).build();
    try {
      logger.log(AccessLogFilterTest.request().requestId("first").build());
      assertThat(sink.entered.await(10, TimeUnit.SECONDS)).isTrue();
      long start = System.nanoTime();
      for (int i = 0; i < 100; i++) {
        logger.log(AccessLogFilterTest.request().requestId("r" + i).build());
      }
      // The worker is stuck in the sink: 4 entries fit the queue, 96 are dropped, and log() returned at once.
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1000);
      assertThat(logger.dropped()).isEqualTo(96);
      assertThat(registry.get("meshfed_accesslog_dropped_total").functionCounter().count()).isEqualTo(96.0);
    } finally {
      sink.release.countDown();
      logger.close(Duration.ofSeconds(5));
    }
    assertThat(sink.lines).hasSize(5);
  }

  @Test
  void closeWritesWhatIsQueued(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("access.log");
    AccessLogger logger = AccessLogger.builder().sink(AccessLogSink.file(file)).build();
    for (int i = 0; i < 100; i++) {
      logger.log(AccessLogFilterTest.request().requestId("r" + i).build());
    }
    logger.close(Duration.ofSeconds(5));
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(100);
    assertThat(new JsonObject(lines.get(99)).getString("x_request_id")).isEqualTo("r99");
    logger.log(AccessLogFilterTest.request().build());
    assertThat(logger.dropped()).isEqualTo(1);
  }

  @Test
  void theAccessLogPathSettingPicksTheSink(@TempDir Path dir) throws Exception {
    assertThat(AccessLogSink.forPath("")).isEmpty();
    assertThat(AccessLogSink.forPath("/dev/stdout")).isPresent();
    Path file = dir.resolve("gateway-access.log");
    try (AccessLogSink sink = AccessLogSink.forPath(file.toString()).orElseThrow()) {
      sink.write("{}");
    }
    assertThat(Files.readAllLines(file)).containsExactly("{}");
    assertThatThrownBy(() -> AccessLogSink.forPath(dir.resolve("missing/dir/access.log").toString()))
        .isInstanceOf(IOException.class).hasMessageContaining("missing");
  }

  @Test
  void badSettingsAreRefusedByName() {
    assertThatThrownBy(() -> AccessLogger.builder().sampling(1.5))
        .hasMessage("accessLog.sampling: 1.5 (expected: 0.0 to 1.0)");
    assertThatThrownBy(() -> AccessLogger.builder().queueCapacity(0))
        .hasMessage("queueCapacity: 0 (expected: >= 1)");
  }
}
