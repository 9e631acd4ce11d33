/**
 * Benchmarks of the translation to xDS, on one generated mesh ({@code BenchMesh}):
 * {@link io.meshfed.it.bench.translate.TranslateBenchmark} measures issue 5's "10,000 services / 100,000 endpoints
 * across 3 clusters: full snapshot ≤ 1 s, control-plane heap ≤ 1 GB" and the incremental translation after one
 * endpoint change ({@code it/bench/translate.sh}); {@link io.meshfed.it.bench.translate.MeshPushBenchmark}
 * measures "one endpoint change → delta EDS push to 100 connected gateways ≤ 50 ms p99 after debounce" through the
 * translator and a real ADS server ({@code it/bench/mesh-push.sh}).
 */
package io.meshfed.it.bench.translate;
