package io.meshfed.control.client.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.control.client.flags.ResponseFlag;
import io.meshfed.control.client.flags.ResponseFlags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Once a label combination has been seen, recording it allocates nothing: the meter lookup is a hash-map get and a
 * scan of a small array. Measured with the JVM's per-thread allocation counter, not with time.
 */
class IstioMetricsAllocationTest {

  @Test
  void recordingASeenCombinationAllocatesNothing() {
    java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Assumptions.assumeTrue(threads instanceof com.sun.management.ThreadMXBean sun
        && sun.isThreadAllocatedMemorySupported(), "this JVM does not count allocated bytes per thread");
    com.sun.management.ThreadMXBean counter = (com.sun.management.ThreadMXBean) threads;
    counter.setThreadAllocatedMemoryEnabled(true);

    IstioMetrics metrics = new IstioMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    TrafficLabels labels = IstioMetricsTest.reviewsFromIngress();
    RequestMetric ok = RequestMetric.http(labels, 200, ResponseFlags.NONE, 3.5, 120, 4096);
    RequestMetric failed = RequestMetric.http(labels, 503, ResponseFlags.of(ResponseFlag.UF), 1, 0, 91);
    ConnectionMetric bytes = new ConnectionMetric(labels, ResponseFlags.NONE, 1500, 300);
    for (int i = 0; i < 20_000; i++) {
      metrics.recordRequest(i % 10 == 0 ? failed : ok);
      metrics.recordConnectionBytes(bytes);
    }

    long thread = Thread.currentThread().getId();
    int calls = 100_000;
    long before = counter.getThreadAllocatedBytes(thread);
    for (int i = 0; i < calls; i++) {
      metrics.recordRequest(i % 10 == 0 ? failed : ok);
      metrics.recordConnectionBytes(bytes);
    }
    long allocated = counter.getThreadAllocatedBytes(thread) - before;
    // Zero in steady state; the slack covers the JIT and the counter itself, far below one object per call.
    assertThat((double) allocated / calls).as("bytes allocated per request recorded").isLessThan(1.0);
  }
}
