#!/usr/bin/env bash
# Issue 5's push target through the real translator: the translate.sh mesh (10,000 services / 100,000 endpoints in 3
# clusters) -> MeshTranslator (incremental) -> XdsServer -> 100 delta ADS gateways (half ingress, half east-west, in
# this JVM), one endpoint change per round; prints p50/p90/p99/max change -> received after the debounce against the
# 50 ms p99 target, the CPU time the hypervisor stole meanwhile and the three slowest rounds split into stages (the
# rounds start from a collected heap). Arguments pass through: services=10000 endpoints=100000 routes=1000
# gateways=100 warmups=20 rounds=100 quietMs=100 (the warm-up rounds run first, exactly as the others, and are
# measured apart). The heap (MESH_PUSH_BENCH_HEAP, default -Xmx6g) holds the control plane and the 100 gateways'
# streams. The JVM runs with the control plane's JVM options (deploy/jvm/control-plane.jvm, as the chart's
# control-plane pods do); MESH_PUSH_BENCH_JAVA_OPTS adds JVM flags after them (e.g.
# -XX:StartFlightRecording=filename=push.jfr to profile).
set -euo pipefail
cd "$(dirname "$0")/../.."
HEAP="${MESH_PUSH_BENCH_HEAP:--Xmx6g}"
CP="$(it/bench/it-classpath.sh)"
# shellcheck disable=SC2086 # the extra flags are meant to split into words
exec java "$HEAP" -XX:+UseG1GC @deploy/jvm/control-plane.jvm ${MESH_PUSH_BENCH_JAVA_OPTS:-} -Dlogback.configurationFile=it/bench/federation-logback.xml -cp "$CP" \
  io.meshfed.it.bench.translate.MeshPushBenchmark "$@"
