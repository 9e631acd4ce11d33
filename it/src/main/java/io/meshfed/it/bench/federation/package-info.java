/**
 * Federation benchmarks: change propagation across three members and the initial sync of a joining member at
 * 3 clusters × 10,000 services × 10 endpoints. Run {@code it/bench/federation-bench.sh}.
 */
package io.meshfed.it.bench.federation;
