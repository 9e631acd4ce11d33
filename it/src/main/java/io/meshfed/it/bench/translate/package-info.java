/**
 * Benchmark of the translation to xDS: {@link io.meshfed.it.bench.translate.TranslateBenchmark} measures issue 5's
 * "10,000 services / 100,000 endpoints across 3 clusters: full snapshot ≤ 1 s, control-plane heap ≤ 1 GB" and the
 * incremental translation after one endpoint change. Run with {@code it/bench/translate.sh}.
 */
package io.meshfed.it.bench.translate;
