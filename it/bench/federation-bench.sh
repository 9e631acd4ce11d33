#!/usr/bin/env bash
# Federation benchmarks (issue 4): prints
#   - one endpoint change in cluster A seen by cluster B's subscriber, p50/p99 over 3 members on loopback;
#   - initial sync of a joining member with 3 clusters x 10,000 services x 10 endpoints, and heap per member.
# Every member JVM runs with -Xmx512m, so finishing at all shows each member fits the 512 MB target.
# Usage: it/bench/federation-bench.sh [propagation-samples]
set -euo pipefail
cd "$(dirname "$0")/../.."
SAMPLES="${1:-2000}"
HEAP="${FEDERATION_BENCH_HEAP:--Xmx512m}"

CP="$(it/bench/it-classpath.sh)"
# Hazelcast's recommended access to JDK internals (it warns and runs slower without).
OPENS=(--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens java.management/sun.management=ALL-UNNAMED
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED)
JAVA=(java "$HEAP" "${OPENS[@]}" -Dhazelcast.phone.home.enabled=false -Dhazelcast.logging.type=slf4j \
  -Dlogback.configurationFile=it/bench/federation-logback.xml -cp "$CP")

echo "== propagation"
"${JAVA[@]}" io.meshfed.it.bench.federation.FederationPropagationBench "$SAMPLES" 500

echo "== scale: 3 clusters x 10,000 services x 10 endpoints, then a joining member"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
PORTS=("$(free_port)" "$(free_port)" "$(free_port)" "$(free_port)")
MESH="bench-$RANDOM$RANDOM"
LOGS="$(mktemp -d)"
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT
for i in 0 1 2; do
  "${JAVA[@]}" io.meshfed.it.bench.federation.FederationScaleBench publish "$MESH" "$i" "${PORTS[@]}" \
    > "$LOGS/member-$i.log" 2> "$LOGS/member-$i.err" &
  PIDS+=("$!")
done
deadline=$((SECONDS + 900))
until [ "$(grep -l '^READY' "$LOGS"/member-*.log 2>/dev/null | wc -l)" -eq 3 ]; do
  for pid in "${PIDS[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then echo "a publishing member died:"; tail -20 "$LOGS"/member-*.err; exit 1; fi
  done
  if [ "$SECONDS" -gt "$deadline" ]; then echo "publishing members not ready in 900 s"; exit 1; fi
  sleep 2
done
grep -h '^member ' "$LOGS"/member-*.log
"${JAVA[@]}" io.meshfed.it.bench.federation.FederationScaleBench join "$MESH" "${PORTS[@]}" 2>&1 \
  | grep -E '^joining|catalog loaded: [0-9]+ clusters, [1-9]' | sed 's/^.*CatalogView - /joining member: /'
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores; other builds share them)"
