#!/usr/bin/env bash
# Issue 5's xDS push benchmark: 100 delta ADS gateways, one endpoint change per round, p99 of change -> received
# after the debounce. Arguments pass through: gateways=100 clusters=1000 endpoints=10 rounds=50 quietMs=100.
set -euo pipefail
cd "$(dirname "$0")/../.."
classpath_file="$PWD/it/target/bench.classpath"
./mvnw -B -q -DskipTests package dependency:build-classpath -pl it -am \
  -Dmdep.outputFile="$classpath_file" -Dmdep.includeScope=runtime
exec java -Xms2g -Xmx4g -cp "it/target/classes:$(cat "$classpath_file")" \
  io.meshfed.it.bench.xds.DeltaPushBenchmark "$@"
