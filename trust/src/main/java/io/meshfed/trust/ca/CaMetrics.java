package io.meshfed.trust.ca;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The metrics every CA backend records: {@code meshfed_ca_sign_total{mode,result}} (result {@code ok} or the
 * {@link CaException.Reason} in lowercase) and {@code meshfed_ca_sign_duration_seconds{mode}}. For CA
 * implementations; other modules read the metrics, not this class.
 */
public final class CaMetrics {

  private final MeterRegistry registry;
  private final String mode;
  private final Timer duration;
  private final Map<String, Counter> results = new ConcurrentHashMap<>();

  public CaMetrics(MeterRegistry registry, CaMode mode) {
    this.registry = registry;
    this.mode = mode.configName();
    this.duration = Timer.builder("meshfed_ca_sign_duration").description("time to sign one SVID")
        .tag("mode", this.mode).register(registry);
  }

  /** Records the outcome and duration of {@code signing} when it completes; returns it unchanged. */
  public <T> Future<T> record(Future<T> signing) {
    long start = System.nanoTime();
    return signing.andThen(result -> {
      duration.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
      String outcome = result.succeeded() ? "ok"
          : result.cause() instanceof CaException ca ? ca.reason().name().toLowerCase(java.util.Locale.ROOT)
          : "error";
      results.computeIfAbsent(outcome, tag -> Counter.builder("meshfed_ca_sign").description("SVID signing requests")
          .tag("mode", mode).tag("result", tag).register(registry)).increment();
    });
  }
}
