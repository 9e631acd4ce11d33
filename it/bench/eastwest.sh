#!/usr/bin/env bash
# The east-west gateway against HAProxy 2.6 doing the same job on loopback (issue 6, "Speed"), one run, one table:
#   passthrough bulk throughput   (SNI routing on the ClientHello, then splice; HAProxy: TCP mode, req.ssl_sni)
#   added p50/p99 latency per small request through passthrough: real TLS sessions (Istio SNI + ALPN) to a TLS echo
#   backend, 64-byte request/echo round trips, the backend directly vs HAProxy vs the gateway measured by one client
#   in interleaved blocks (so load from other processes lands on all three alike)
#   terminate: new mTLS handshakes per second, ECDSA P-256, client certificate required and verified
#   RSS of the gateway holding 1,000 spliced connections
# Both proxies run pinned to CPU 0 with one thread (gateway: one event loop; HAProxy: nbthread 1); backends and load
# generators run on the other CPUs. After the ClientHello, the bytes are opaque to both proxies: the backends skip
# the hello and stream (bulk) or echo (latency), so the figures measure the proxies' routing and splicing, not TLS
# in the backends.
#
# Usage: it/bench/eastwest.sh          (DURATION=10 WARMUP=5 HANDSHAKE_CONCURRENCY=64 LATENCY_COUNT=20000
#                                      LATENCY_ROUNDS=20 to change the bounds)
# Needs: a JDK 17+, openssl, /usr/sbin/haproxy (.ci/install-tools installs it), taskset (optional).
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-5}
HS_WARMUP=${HS_WARMUP:-20}
HANDSHAKE_CONCURRENCY=${HANDSHAKE_CONCURRENCY:-64}
HOLD=${HOLD:-1000}
LATENCY_COUNT=${LATENCY_COUNT:-20000}
LATENCY_ROUNDS=${LATENCY_ROUNDS:-20}
HAPROXY=${HAPROXY:-$(command -v haproxy || echo /usr/sbin/haproxy)}
for tool in java openssl; do
  command -v "$tool" >/dev/null || { echo "eastwest.sh: $tool not found" >&2; exit 1; }
done
[ -x "$HAPROXY" ] || { echo "eastwest.sh: HAProxy not found at $HAPROXY (run .ci/install-tools as root)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/meshfed-eastwest-bench.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

PROXY_CPU="taskset -c 0"
LOAD_CPU="taskset -c 1-$(($(nproc) - 1))"
if ! command -v taskset >/dev/null || [ "$(nproc)" -lt 2 ]; then PROXY_CPU=""; LOAD_CPU=""; fi

echo "== building (skip tests) and resolving the classpaths"
./mvnw -B -q -DskipTests package -pl it -am dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" >/dev/null
# The gateway runs with its own module's runtime classpath (what a gateway image carries), not the whole it/ one.
# (package again, up to date by now: reactor modules resolve to their jars only in a build that packages them)
./mvnw -B -q -DskipTests package -pl eastwest-gateway -am dependency:build-classpath -Dmdep.includeScope=runtime \
  -Dmdep.outputFile="$WORK/cp-gateway.txt" >/dev/null
CP="it/target/classes:$(cat "$WORK/cp.txt")"
LOGBACK=$(tr ':' '\n' < "$WORK/cp.txt" | grep -E '/logback-(classic|core)-' | paste -sd: -)
GATEWAY_CP="it/target/classes:eastwest-gateway/target/classes:$(cat "$WORK/cp-gateway.txt"):$LOGBACK"
cat > "$WORK/logback.xml" <<'EOF'
<configuration>
  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{30} - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="OUT"/></root>
</configuration>
EOF
JAVA_LOAD=(java -Xmx512m -Dlogback.configurationFile="$WORK/logback.xml" -cp "$CP")
BENCH=io.meshfed.it.bench.eastwest

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
BULK=$(free_port); ECHO=$(free_port); PLAIN=$(free_port); TLSECHO=$(free_port)
GW_PASS=$(free_port); GW_TERM=$(free_port); HA_PASS=$(free_port); HA_TERM=$(free_port)
BULK_SNI=outbound_.9080_._.bulk.default.svc.cluster.local
ECHO_SNI=outbound_.9080_._.echo.default.svc.cluster.local
TLSECHO_SNI=outbound_.9080_._.tlsecho.default.svc.cluster.local
TERM_SNI=outbound_.9000_._.legacy.default.svc.cluster.local

echo "== certificates (ECDSA P-256, SPIFFE URI SANs) in $WORK"
(
  cd "$WORK"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out root.key 2>/dev/null
  openssl req -x509 -new -key root.key -days 2 -subj "/CN=bench root" -out root.crt \
    -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  leaf() {
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null
    openssl req -new -key "$1.key" -subj "/O=bench" -out "$1.csr" 2>/dev/null
    printf 'subjectAltName=critical,URI:%s\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n' \
      "$2" > "$1.ext"
    openssl x509 -req -in "$1.csr" -CA root.crt -CAkey root.key -CAcreateserial -days 2 -extfile "$1.ext" \
      -out "$1.crt" 2>/dev/null
  }
  leaf gateway spiffe://cluster.local/ns/istio-system/sa/eastwest
  leaf client spiffe://cluster.local/ns/default/sa/bench
  cat gateway.crt gateway.key > gateway.pem
)

cat > "$WORK/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn 8000
  log stderr format raw local0 err
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend passthrough
  bind 127.0.0.1:$HA_PASS
  tcp-request inspect-delay 5s
  tcp-request content accept if { req.ssl_hello_type 1 }
  use_backend bulk if { req.ssl_sni -i $BULK_SNI }
  use_backend echo if { req.ssl_sni -i $ECHO_SNI }
  use_backend tlsecho if { req.ssl_sni -i $TLSECHO_SNI }
backend tlsecho
  server tlsecho 127.0.0.1:$TLSECHO
backend bulk
  server bulk 127.0.0.1:$BULK
backend echo
  server echo 127.0.0.1:$ECHO
frontend terminate
  bind 127.0.0.1:$HA_TERM ssl crt $WORK/gateway.pem ca-file $WORK/root.crt verify required
  default_backend plain
backend plain
  server plain 127.0.0.1:$PLAIN
EOF

echo "== starting backends, HAProxy ($("$HAPROXY" -v | head -1 | cut -d' ' -f3)) and the gateway"
$LOAD_CPU "${JAVA_LOAD[@]}" $BENCH.BenchBackend "bulk=127.0.0.1:$BULK" "echo=127.0.0.1:$ECHO" \
  "plain=127.0.0.1:$PLAIN" "tlsecho=127.0.0.1:$TLSECHO:$WORK/gateway.crt:$WORK/gateway.key" > "$WORK/backend.log" 2>&1 &
PIDS+=($!)
$PROXY_CPU "$HAPROXY" -f "$WORK/haproxy.cfg" -db > "$WORK/haproxy.log" 2>&1 &
HAPROXY_PID=$!
PIDS+=($HAPROXY_PID)

"${JAVA_LOAD[@]}" $BENCH.BenchConfig "$WORK/gateway.json" "127.0.0.1:$GW_PASS" "127.0.0.1:$GW_TERM" cluster.local \
  "$WORK/gateway.crt" "$WORK/gateway.key" "$WORK/root.crt" "$TERM_SNI=127.0.0.1:$PLAIN" \
  "$BULK_SNI=127.0.0.1:$BULK" "$ECHO_SNI=127.0.0.1:$ECHO" "$TLSECHO_SNI=127.0.0.1:$TLSECHO"
# A small-footprint JVM: serial GC (one core), a heap that gives memory back, few malloc arenas that are trimmed
# (C2's compiler arenas are freed, not returned, without the trim).
GATEWAY_JVM=(java -Xms16m -Xmx64m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:+UseSerialGC
  -XX:TrimNativeHeapInterval=2000
  -XX:MaxDirectMemorySize=64m -XX:ReservedCodeCacheSize=48m -Xss512k -XX:MaxMetaspaceSize=96m
  -Dio.netty.allocator.numDirectArenas=1 -Dio.netty.allocator.numHeapArenas=1
  -Dlogback.configurationFile="$WORK/logback.xml" -cp "$GATEWAY_CP")
start_gateway() { # $1: verified-chain cache size; prints the pid
  MALLOC_ARENA_MAX=2 $PROXY_CPU "${GATEWAY_JVM[@]}" $BENCH.EastWestGatewayMain "$WORK/gateway.json" 1 "$1" \
    > "$WORK/gateway-$1.log" 2>&1 &
  echo $!
}
wait_for() { # $1: file, $2: pattern
  for _ in $(seq 1 600); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "eastwest.sh: timed out waiting for '$2' in $1:" >&2; cat "$1" >&2; exit 1
}
GATEWAY_PID=$(start_gateway 4096)
PIDS+=($GATEWAY_PID)
wait_port() { # $1: port
  for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "eastwest.sh: nothing listens on 127.0.0.1:$1" >&2; exit 1
}
wait_for "$WORK/backend.log" "backends ready"
wait_port "$HA_PASS" || { cat "$WORK/haproxy.log" >&2; exit 1; }
wait_for "$WORK/gateway-4096.log" "^ready"

client() { $LOAD_CPU "${JAVA_LOAD[@]}" $BENCH.BenchClient "$@"; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
TICKS=$(getconf CLK_TCK)

# Runs a client mode in the background and reads the proxy's CPU ticks exactly over the measured window (the client
# prints "measuring" and "measured" around it). Prints the client's figure line, then "cpu_seconds=<s>".
measure() { # $1: proxy pid (or 0), rest: client arguments
  local pid=$1 out before=0 after=0
  shift
  out="$WORK/client-$RANDOM.log"
  client "$@" > "$out" &
  local runner=$!
  if [ "$pid" != 0 ]; then
    wait_for "$out" "^measuring"; before=$(cpu_ticks "$pid")
    wait_for "$out" "^measured"; after=$(cpu_ticks "$pid")
  fi
  wait "$runner"
  grep -v '^measur' "$out"
  awk -v c="$((after - before))" -v t="$TICKS" 'BEGIN { printf "cpu_seconds=%.2f\n", c / t }'
}
per_cpu() { # $1: figure, $2: measure output
  awk -v f="$1" -v c="$(echo "$2" | field cpu_seconds)" -v d="$DURATION" \
    'BEGIN { if (c > 0) printf "%.0f", f * d / c; else print "n/a" }'
}
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== passthrough bulk throughput (4 connections, ${WARMUP}s warm-up, ${DURATION}s)"
BULK_DIRECT=$(client bulk "127.0.0.1:$BULK" $BULK_SNI 4 "$WARMUP" "$DURATION" | field bulk_mb_per_s)
OUT=$(measure "$HAPROXY_PID" bulk "127.0.0.1:$HA_PASS" $BULK_SNI 4 "$WARMUP" "$DURATION")
BULK_HA=$(echo "$OUT" | field bulk_mb_per_s); BULK_HA_CPU=$(per_cpu "$BULK_HA" "$OUT")
OUT=$(measure "$GATEWAY_PID" bulk "127.0.0.1:$GW_PASS" $BULK_SNI 4 "$WARMUP" "$DURATION")
BULK_GW=$(echo "$OUT" | field bulk_mb_per_s); BULK_GW_CPU=$(per_cpu "$BULK_GW" "$OUT")

echo "== passthrough added latency (TLS sessions, 64-byte request/echo, 5000 warm-up, $LATENCY_COUNT measured per target" \
  "in $LATENCY_ROUNDS interleaved blocks)"
LAT=$(client tls-latency $TLSECHO_SNI 5000 "$LATENCY_COUNT" 64 "$LATENCY_ROUNDS" "direct=127.0.0.1:$TLSECHO" \
  "haproxy=127.0.0.1:$HA_PASS" "gateway=127.0.0.1:$GW_PASS")
LAT_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
lat() { echo "$LAT" | grep "^$1=$2 " | field "$3"; } # $1: target|added, $2: name, $3: figure
P50_DIRECT=$(lat target direct p50_us); P99_DIRECT=$(lat target direct p99_us)
P50_HA=$(lat target haproxy p50_us); P99_HA=$(lat target haproxy p99_us)
P50_GW=$(lat target gateway p50_us); P99_GW=$(lat target gateway p99_us)
ADDED_HA=$(lat added haproxy p99_us); ADDED_GW=$(lat added gateway p99_us)
ADDED50_HA=$(lat added haproxy p50_us); ADDED50_GW=$(lat added gateway p50_us)

handshakes() { # $1: target port, $2: server pid; prints "rate per-cpu-second"
  local out rate
  out=$(measure "$2" handshake "127.0.0.1:$1" $TERM_SNI "$HANDSHAKE_CONCURRENCY" "$HS_WARMUP" "$DURATION" \
    "$WORK/client.crt" "$WORK/client.key")
  rate=$(echo "$out" | field handshakes_per_s)
  echo "$rate $(per_cpu "$rate" "$out")"
}
echo "== terminate: full mTLS handshakes (ECDSA P-256, client cert required), concurrency $HANDSHAKE_CONCURRENCY"
read -r HS_HA HS_HA_CPU <<< "$(handshakes "$HA_TERM" "$HAPROXY_PID")"
read -r HS_GW HS_GW_CPU <<< "$(handshakes "$GW_TERM" "$GATEWAY_PID")"

echo "== RSS holding $HOLD spliced connections"
hold() { # $1: port, $2: pid
  local fifo="$WORK/hold-$1"
  mkfifo "$fifo"
  client hold "127.0.0.1:$1" $ECHO_SNI "$HOLD" < "$fifo" > "$WORK/hold-$1.log" &
  local holder=$!
  exec 9> "$fifo"
  wait_for "$WORK/hold-$1.log" "holding"
  # Steady state: past the gateway's native-heap trim interval, so the compiler's transient arenas are not counted.
  sleep 6
  rss_mb "$2"
  exec 9>&-
  wait "$holder" 2>/dev/null || true
}
RSS_GW_BEFORE=$(rss_mb "$GATEWAY_PID")
RSS_GW=$(hold "$GW_PASS" "$GATEWAY_PID")
RSS_HA=$(hold "$HA_PASS" "$HAPROXY_PID")

echo "== terminate again with the verified-chain cache off (every handshake verifies the chain in full)"
kill "$GATEWAY_PID"; wait "$GATEWAY_PID" 2>/dev/null || true
GATEWAY_PID=$(start_gateway 0)
PIDS+=($GATEWAY_PID)
wait_for "$WORK/gateway-0.log" "^ready"
read -r HS_GW_NOCACHE HS_GW_NOCACHE_CPU <<< "$(handshakes "$GW_TERM" "$GATEWAY_PID")"

BULK_RATIO=$(ratio "$BULK_GW" "$BULK_HA")
HS_RATIO=$(ratio "$HS_GW" "$HS_HA")
HS_NOCACHE_RATIO=$(ratio "$HS_GW_NOCACHE" "$HS_HA")
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == ">=") ? v >= t : v <= t; print ok ? "met" : "MISSED" }'; }

echo
echo "east-west gateway vs HAProxy 2.6, loopback, proxies pinned to one CPU ($(nproc) CPUs, $(uname -r))"
echo "load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews all figures)"
printf '%-52s %14s %14s %10s  %s\n' "figure" "gateway" "haproxy" "ratio" "target"
printf '%-52s %14s %14s %10s  %s\n' "passthrough bulk MB/s (direct: $BULK_DIRECT)" "$BULK_GW" "$BULK_HA" \
  "$BULK_RATIO" ">= 0.9x: $(verdict "$BULK_RATIO" 0.9 '>=')"
printf '%-52s %14s %14s %10s\n' "passthrough MB per CPU-second of the proxy" "$BULK_GW_CPU" "$BULK_HA_CPU" \
  "$(ratio "$BULK_GW_CPU" "$BULK_HA_CPU")"
printf '%-52s %14s %14s %10s  %s\n' "passthrough TLS 64 B round trip p50 us (direct: $P50_DIRECT)" "$P50_GW" "$P50_HA" \
  "" ""
printf '%-52s %14s %14s %10s  %s\n' "passthrough TLS 64 B round trip p99 us (direct: $P99_DIRECT)" "$P99_GW" "$P99_HA" \
  "" ""
printf '%-52s %14s %14s %10s  %s\n' "passthrough added p50 us" "$ADDED50_GW" "$ADDED50_HA" "" ""
printf '%-52s %14s %14s %10s  %s\n' "passthrough added p99 us (load avg $LAT_LOAD)" "$ADDED_GW" "$ADDED_HA" "" \
  "<= 300 us: $(verdict "$ADDED_GW" 300 '<=')"
printf '%-52s %14s %14s %10s  %s\n' "terminate mTLS handshakes/s" "$HS_GW" "$HS_HA" "$HS_RATIO" \
  ">= 1.0x: $(verdict "$HS_RATIO" 1.0 '>=')"
printf '%-52s %14s %14s %10s\n' "terminate handshakes per CPU-second of the proxy" "$HS_GW_CPU" "$HS_HA_CPU" \
  "$(ratio "$HS_GW_CPU" "$HS_HA_CPU")"
printf '%-52s %14s %14s %10s  %s\n' "terminate handshakes/s, chain cache off" "$HS_GW_NOCACHE" "$HS_HA" \
  "$HS_NOCACHE_RATIO" "(every chain verified in full)"
printf '%-52s %14s %14s %10s  %s\n' "RSS MB holding $HOLD connections (gateway before: $RSS_GW_BEFORE)" "$RSS_GW" "$RSS_HA" \
  "" "<= 150 MB: $(verdict "$RSS_GW" 150 '<=')"
echo "latency detail:"
echo "$LAT"
echo "logs and certificates: $WORK"
