package io.meshfed.control.plane.xds;

import io.meshfed.control.client.xds.XdsResourceType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ADS server's meters, named as Istio's pilot metrics (istio.io "Pilot metrics") so dashboards carry over.
 * Prometheus exposition adds Micrometer's suffixes ({@code _total} on counters, {@code _seconds} on timers).
 */
final class XdsMetrics {
    private final AtomicInteger connected = new AtomicInteger();
    private final Map<XdsResourceType, Counter> pushes = new EnumMap<>(XdsResourceType.class);
    private final Map<XdsResourceType, Counter> sendErrors = new EnumMap<>(XdsResourceType.class);
    private final Map<XdsResourceType, Counter> rejects = new EnumMap<>(XdsResourceType.class);
    private final Map<XdsResourceType, Counter> expiredNonces = new EnumMap<>(XdsResourceType.class);
    private final Timer convergence;
    private final Timer debounce;
    private final Timer sendTime;
    private final Counter triggers;
    private final Counter refused;

    XdsMetrics(MeterRegistry registry) {
        Gauge.builder("pilot_xds", connected, AtomicInteger::get)
                .description("Number of endpoints connected to this pilot using XDS.").register(registry);
        for (XdsResourceType type : XdsResourceType.values()) {
            String t = type.shortName().toLowerCase(Locale.ROOT);
            pushes.put(type, Counter.builder("pilot_xds_pushes").tag("type", t)
                    .description("Pilot build and send errors for lds, rds, cds and eds.").register(registry));
            sendErrors.put(type, Counter.builder("pilot_xds_pushes").tag("type", t + "_senderr")
                    .description("Pilot build and send errors for lds, rds, cds and eds.").register(registry));
            rejects.put(type, Counter.builder("pilot_total_xds_rejects").tag("type", t)
                    .description("Total number of XDS responses from pilot rejected by proxy.").register(registry));
            expiredNonces.put(type, Counter.builder("pilot_xds_expired_nonce").tag("type", t)
                    .description("Total number of XDS requests with an expired nonce.").register(registry));
        }
        convergence = Timer.builder("pilot_proxy_convergence_time")
                .description("Delay in seconds between config change and a proxy receiving all required "
                        + "configuration.")
                .publishPercentileHistogram().register(registry);
        debounce = Timer.builder("pilot_debounce_time")
                .description("Delay in seconds between the first config enters debouncing and the merged push "
                        + "request is pushed into the push queue.")
                .publishPercentileHistogram().register(registry);
        sendTime = Timer.builder("pilot_xds_send_time")
                .description("Total time in seconds Pilot takes to send generated configuration.")
                .publishPercentileHistogram().register(registry);
        triggers = Counter.builder("pilot_push_triggers").tag("type", "config")
                .description("Total number of times a push was triggered, labeled by reason for the push.")
                .register(registry);
        refused = Counter.builder("meshfed_xds_refused_streams")
                .description("ADS streams refused: invalid node, unverified peer identity.").register(registry);
    }

    void connected() {
        connected.incrementAndGet();
    }

    void disconnected() {
        connected.decrementAndGet();
    }

    void pushed(XdsResourceType type) {
        pushes.get(type).increment();
    }

    void sendFailed(XdsResourceType type) {
        sendErrors.get(type).increment();
    }

    void rejected(XdsResourceType type) {
        rejects.get(type).increment();
    }

    void expiredNonce(XdsResourceType type) {
        expiredNonces.get(type).increment();
    }

    void converged(Duration sinceChange) {
        convergence.record(sinceChange);
    }

    void debounced(Duration waited) {
        debounce.record(waited);
    }

    void sendTime(Duration d) {
        sendTime.record(d);
    }

    void triggered() {
        triggers.increment();
    }

    void refused() {
        refused.increment();
    }
}
