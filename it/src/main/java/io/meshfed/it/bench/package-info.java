/**
 * JMH benchmarks for meshfed's speed targets; scripts that drive peers (nginx, HAProxy) and load (wrk, h2load)
 * live in {@code it/bench/}. Every benchmark prints its figures and its ratio against the peer measured in the same
 * run.
 */
package io.meshfed.it.bench;
