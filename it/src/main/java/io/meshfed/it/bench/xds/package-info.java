/**
 * Benchmarks of the xDS transport: {@link io.meshfed.it.bench.xds.DeltaPushBenchmark} measures issue 5's "one
 * endpoint change → delta EDS push to 100 connected gateways ≤ 50 ms p99 after debounce". Run with
 * {@code it/bench/xds-push.sh}.
 */
package io.meshfed.it.bench.xds;
