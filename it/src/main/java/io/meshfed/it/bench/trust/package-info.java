/** Benchmarks for the trust module: SVID signing by a local intermediate (target: 2,000/s on one core). */
package io.meshfed.it.bench.trust;
