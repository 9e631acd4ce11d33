/**
 * The L7 gateway benchmark's standalone engine ({@link io.meshfed.it.bench.l7.L7BenchMain}); the driver is
 * {@code it/bench/l7.sh} (meshfed vs nginx vs HAProxy, wrk load, same cores, ratios from one run).
 */
package io.meshfed.it.bench.l7;
