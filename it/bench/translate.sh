#!/usr/bin/env bash
# Issue 5's translation benchmark: 10,000 services / 100,000 endpoints across 3 clusters; prints the full translation
# time (cold, warm-up and warm, each by a fresh translator; the CPU time the hypervisor stole during the warm ones),
# the heap after GC holding the resulting state, and the incremental translation time after one endpoint change. Arguments pass through: services=10000 endpoints=100000
# routes=1000 rounds=40 warmups=20 fulls=10 (the warm figure is the median of `fulls` translations after `warmups`
# ones, whose figures are printed too).
# The JVM gets TRANSLATE_BENCH_HEAP (default -Xmx1g): finishing at all shows the state fits the 1 GB target. It runs
# with the control plane's JVM options (deploy/jvm/control-plane.jvm, as the chart's control-plane pods do);
# flags in TRANSLATE_BENCH_JAVA_OPTS come after them and override them (e.g. -XX:MaxTenuringThreshold=15, G1's
# default).
set -euo pipefail
cd "$(dirname "$0")/../.."
HEAP="${TRANSLATE_BENCH_HEAP:--Xmx1g}"
CP="$(it/bench/it-classpath.sh)"
# shellcheck disable=SC2086 # the extra flags are meant to split into words
exec java "$HEAP" -XX:+UseG1GC @deploy/jvm/control-plane.jvm ${TRANSLATE_BENCH_JAVA_OPTS:-} -Dlogback.configurationFile=it/bench/federation-logback.xml -cp "$CP" \
  io.meshfed.it.bench.translate.TranslateBenchmark "$@"
