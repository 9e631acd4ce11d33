#!/usr/bin/env bash
# Issue 5's xDS push benchmark: 100 delta ADS gateways, one endpoint change per round, p99 of change -> received
# after the debounce. Arguments pass through: gateways=100 clusters=1000 endpoints=10 rounds=50 quietMs=100.
set -euo pipefail
cd "$(dirname "$0")/../.."
CP="$(it/bench/it-classpath.sh)"
exec java -Xms2g -Xmx4g -cp "$CP" \
  io.meshfed.it.bench.xds.DeltaPushBenchmark "$@"
