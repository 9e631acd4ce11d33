#!/usr/bin/env bash
# The L7 gateway benchmark (issue 7, "Speed"): meshfed's engine vs nginx 1.22 vs HAProxy 2.6, each configured for
# the same route (every request to one backend serving 1 KiB), pinned to the same core(s), loaded by wrk and h2load
# from other core(s), all on loopback; the latency rounds are loaded by pace (it/bench/pace.c, compiled here), an
# open-loop generator that is its own backend. One run prints every figure and the ratios between the three.
#
#   it/bench/l7.sh                      # ~10 minutes
#   L7_BENCH_SECONDS=5 it/bench/l7.sh   # shorter runs
#
# Environment: L7_BENCH_SECONDS (per measurement, default 10), L7_BENCH_ROUNDS (rounds of peak throughput and TLS
# handshakes, interleaved meshfed/nginx/HAProxy, best kept; default 2, against transient load from other
# processes), L7_BENCH_LATENCY_ROUNDS
# (latency and CPU measurements per proxy at half of meshfed's peak, the median reported; default 3),
# L7_BENCH_PROXY_CPUS (taskset list for the proxy, default 1), L7_BENCH_LOAD_CPUS (wrk, h2load, pace and the backend,
# default 0), L7_BENCH_TRANSPORT (meshfed's gateway setting transport: auto, the default, epoll or nio).
# Needs nginx, haproxy, wrk, h2load, openssl, taskset, a C compiler and a JDK (.ci/install-tools installs them);
# without one it says which and exits 0, so CI stays green on machines without the tools.
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SECS="${L7_BENCH_SECONDS:-10}"
ROUNDS="${L7_BENCH_ROUNDS:-2}"
LAT_ROUNDS="${L7_BENCH_LATENCY_ROUNDS:-3}"
if ! [[ "$LAT_ROUNDS" =~ ^[1-9][0-9]*$ ]]; then
  echo "l7 bench: L7_BENCH_LATENCY_ROUNDS=$LAT_ROUNDS (expected: a whole number of rounds, 1 or more)" >&2
  exit 2
fi
TRANSPORT="${L7_BENCH_TRANSPORT:-auto}"
PROXY_CPUS="${L7_BENCH_PROXY_CPUS:-1}"
LOAD_CPUS="${L7_BENCH_LOAD_CPUS:-0}"
WORKERS="$(taskset -c "$PROXY_CPUS" nproc 2>/dev/null || echo 1)"
HZ="$(getconf CLK_TCK)"

for tool in nginx haproxy wrk h2load openssl taskset java curl cc; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "l7 bench: SKIPPED: $tool is not installed (.ci/install-tools installs nginx, haproxy, wrk, h2load, gcc)"
    exit 0
  fi
done

WORK="$(mktemp -d /tmp/meshfed-l7-bench.XXXXXX)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  sleep 0.5
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT

log() { echo "l7 bench: $*" >&2; }

# Below the ephemeral range (32768+), where client connections could already hold a port.
NEXT_PORT=$((20000 + (RANDOM % 100) * 100))
free_port() { # free_port VAR: the next port nobody listens on, each handed out once (no subshell: the counter lives)
  while (exec 3<>"/dev/tcp/127.0.0.1/$NEXT_PORT") 2>/dev/null; do NEXT_PORT=$((NEXT_PORT + 1)); done
  printf -v "$1" '%s' "$NEXT_PORT"
  NEXT_PORT=$((NEXT_PORT + 1))
}

wait_port() {
  for _ in $(seq 1 240); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.25
  done
  log "port $1 never opened"; return 1
}

# --- build the engine's classpath (reactor jars, never mvn install) -------------------------------------------------
log "building (mvnw package -pl it -am)"
( cd "$ROOT" && ./mvnw -B -q package dependency:build-classpath -DskipTests -pl it -am \
    -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=runtime ) >"$WORK/build.log" 2>&1 \
  || { log "build failed:"; tail -20 "$WORK/build.log"; exit 1; }
CP="$(cat "$WORK/cp.txt"):$ROOT/it/target/classes"
if ! echo '#include <stdio.h>' | cc -x c -fsyntax-only - 2>/dev/null; then
  echo "l7 bench: SKIPPED: the C compiler has no C library headers (libc6-dev; .ci/install-tools installs it)"
  exit 0
fi
cc -O2 -o "$WORK/pace" "$ROOT/it/bench/pace.c" 2>"$WORK/pace-build.log" \
  || { log "it/bench/pace.c did not compile (it needs Linux 5.11 and glibc 2.35 for epoll_pwait2):"; \
       cat "$WORK/pace-build.log" >&2; exit 1; }

# --- TLS material: ECDSA P-256, TLS 1.3 -----------------------------------------------------------------------------
openssl ecparam -name prime256v1 -genkey -noout -out "$WORK/key.pem" 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in "$WORK/key.pem" -out "$WORK/key8.pem"
openssl req -new -x509 -key "$WORK/key.pem" -out "$WORK/cert.pem" -days 1 -subj "/CN=bench.local" \
  -addext "subjectAltName=DNS:bench.local" 2>/dev/null
cat "$WORK/cert.pem" "$WORK/key8.pem" > "$WORK/combined.pem"

# --- the backend: nginx answering 1 KiB, on the load cores ----------------------------------------------------------
free_port BACKEND
BODY="$(head -c 1024 /dev/zero | tr '\0' 'x')"
mkdir -p "$WORK/backend"
cat > "$WORK/backend/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/backend/nginx.pid;
error_log $WORK/backend/error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  keepalive_requests 10000000;
  server {
    listen 127.0.0.1:$BACKEND backlog=4096;
    location / { default_type text/plain; return 200 "$BODY"; }
  }
}
CONF
BACKEND_PID=""
start_backend() {
  taskset -c "$LOAD_CPUS" nginx -p "$WORK/backend" -c "$WORK/backend/nginx.conf" -g 'daemon off;' \
    >>"$WORK/backend/out" 2>&1 &
  BACKEND_PID=$!
  PIDS+=("$BACKEND_PID")
  wait_port "$BACKEND"
}
stop_backend() { # frees the backend's port for pace (the proxies' pooled connections to nginx close with it)
  kill "$BACKEND_PID" 2>/dev/null
  wait "$BACKEND_PID" 2>/dev/null
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$BACKEND") 2>/dev/null || return 0
    sleep 0.1
  done
  log "port $BACKEND still answers 10 s after the backend was stopped"
}
start_backend || exit 1

# --- the three proxies, same route, same cores ----------------------------------------------------------------------
# The gateway's JVM flags (docs/l7-gateway.md, "Running"): a small heap kept near its live set, the serial collector,
# C2 only (a third of tiered compilation's code cache), glibc arenas capped and trimmed, leak detection off.
start_meshfed() { # http h2c https
  MALLOC_ARENA_MAX=2 taskset -c "$PROXY_CPUS" java -XX:+UseSerialGC -Xms24m -Xmx40m -Xmn12m \
    -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:-TieredCompilation \
    -XX:ActiveProcessorCount="$WORKERS" -XX:ReservedCodeCacheSize=32m -Xss256k -XX:MaxDirectMemorySize=32m \
    -XX:TrimNativeHeapInterval=5000 -Dio.netty.leakDetection.level=disabled \
    -cp "$CP" io.meshfed.it.bench.l7.L7BenchMain --http "127.0.0.1:$1" --https "127.0.0.1:$3" \
    --cert "$WORK/cert.pem" --key "$WORK/key8.pem" --backend "127.0.0.1:$BACKEND" --workers "$WORKERS" \
    --transport "$TRANSPORT" >"$WORK/meshfed.out" 2>&1 &
  echo $!
}

start_nginx() { # http h2c https
  mkdir -p "$WORK/nginx"
  cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes $WORKERS;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  keepalive_requests 10000000;
  upstream backend { server 127.0.0.1:$BACKEND; keepalive 256; }
  server {
    listen 127.0.0.1:$1 backlog=4096;
    listen 127.0.0.1:$2 http2 backlog=4096;
    listen 127.0.0.1:$3 ssl backlog=4096;
    ssl_certificate $WORK/cert.pem;
    ssl_certificate_key $WORK/key8.pem;
    ssl_protocols TLSv1.3;
    ssl_session_cache off;
    ssl_session_tickets off;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
CONF
  taskset -c "$PROXY_CPUS" nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' \
    >"$WORK/nginx/out" 2>&1 &
  echo $!
}

start_haproxy() { # http h2c https
  cat > "$WORK/haproxy.cfg" <<CONF
global
  nbthread $WORKERS
  maxconn 8000
  tune.ssl.cachesize 0
  ssl-default-bind-options ssl-min-ver TLSv1.3 no-tls-tickets
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option http-keep-alive
  http-reuse always
frontend bench
  bind 127.0.0.1:$1
  bind 127.0.0.1:$2 proto h2
  bind 127.0.0.1:$3 ssl crt $WORK/combined.pem alpn http/1.1
  default_backend backend
backend backend
  server s1 127.0.0.1:$BACKEND
CONF
  taskset -c "$PROXY_CPUS" haproxy -f "$WORK/haproxy.cfg" >"$WORK/haproxy.out" 2>&1 &
  echo $!
}

# All processes of a proxy (nginx: master and workers), for CPU and RSS.
proc_tree() {
  local pids="$1"
  for child in $(pgrep -P "$1" 2>/dev/null); do pids="$pids $child"; done
  echo "$pids"
}
cpu_ticks() {
  local total=0
  for pid in $1; do
    if [ -r "/proc/$pid/stat" ]; then
      total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
    fi
  done
  echo "$total"
}
rss_kb() {
  local total=0
  for pid in $1; do
    if [ -r "/proc/$pid/status" ]; then
      total=$((total + $(awk '/VmRSS/ {print $2}' "/proc/$pid/status")))
    fi
  done
  echo "$total"
}

load_cpu_ticks() { # -> "busy total": jiffies summed over the load CPU(s) (taskset list: 0, 0,2-3 or 0-7:2), from
  # /proc/stat; steal (time the host ran something else) is neither busy nor idle here, so it is left out of both
  awk -v list="$LOAD_CPUS" 'BEGIN { n = split(list, parts, ",")
      for (i = 1; i <= n; i++) {
        step = 1
        if (split(parts[i], s, ":") == 2) { parts[i] = s[1]; step = s[2] }
        if (split(parts[i], r, "-") == 2) { for (c = r[1]; c <= r[2]; c += step) want["cpu" c] = 1 }
        else want["cpu" parts[i]] = 1
      } }
    $1 in want { for (f = 2; f <= 8; f++) total += $f; idle += $5 + $6 }
    END { printf "%d %d", total - idle, total }' /proc/stat
}

busy_percent() { # "busy total" before, after -> percent busy in between
  awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ")
    if (y[2] > x[2]) printf "%.0f", 100 * (y[1] - x[1]) / (y[2] - x[2]); else print "n/a" }'
}

wrk_peak() { # url -> requests/s
  taskset -c "$LOAD_CPUS" timeout $((SECS + 30)) wrk -t1 -c64 -d"${SECS}s" "$1" 2>/dev/null \
    | awk '/Requests\/sec/ {printf "%.0f", $2}'
}

LAT_CONNECTIONS=64
rate_latency() { # port rate [serve] -> "rps p50ms p99ms": pace's open-loop load at a fixed rate on LAT_CONNECTIONS
  # connections, each request's latency counted from when it was due (it/bench/pace.c); with "serve", pace is the
  # backend too, on the backend's port. A percentile that lands on a failed request, or a run that failed, prints n/a.
  local out
  out="$(taskset -c "$LOAD_CPUS" timeout $((SECS + 30)) "$WORK/pace" load 127.0.0.1 "$1" / "$2" "$LAT_CONNECTIONS" \
    "$SECS" ${3:+"$BACKEND"} 2>&1)"
  log "  pace at $2 req/s to port $1: $out"
  echo "$out" | awk 'function ms(us) { return us ~ /^[0-9]+$/ ? sprintf("%.3f", us / 1000) : "n/a" }
    /^due=/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      printf "%s %s %s", v["rate"], ms(v["p50"]), ms(v["p99"]); found = 1 }
    END { if (!found) printf "0 n/a n/a" }'
}

h2_peak() { # url -> requests/s over HTTP/2 (h2c prior knowledge)
  taskset -c "$LOAD_CPUS" timeout $((SECS + 30)) h2load -c16 -m8 -D "$SECS" "$1" 2>/dev/null \
    | awk '/^finished in/ {gsub(",", "", $4); printf "%.0f", $4}'
}

tls_handshakes() { # url -> new TLS connections/s (every request on a new connection, resumption disabled)
  taskset -c "$LOAD_CPUS" timeout $((SECS + 30)) wrk -t1 -c32 -d"${SECS}s" -H "Connection: close" "$1" 2>/dev/null \
    | awk '/Requests\/sec/ {printf "%.0f", $2}'
}

cpu_per_1000() { # ticks rate digits -> vCPU per 1,000/s of rate over one SECS-long measurement, or n/a without a rate
  awk -v t="$1" -v hz="$HZ" -v s="$SECS" -v r="${2:-0}" -v d="$3" \
    'BEGIN { if (r > 0) printf "%." d "f", (t / hz / s) / (r / 1000); else print "n/a" }'
}

declare -A PEAK PEAKCPU PEAKLOAD H2 LAT50 LAT99 RATE CPU RSS TLS TLSCPU BASE50 BASE99
PROXIES=(meshfed nginx haproxy)
# A measurement that never succeeds prints as 0 or n/a instead of stopping the script (set -u).
for name in "${PROXIES[@]}"; do
  PEAK[$name]=0; PEAKCPU[$name]=n/a; PEAKLOAD[$name]=n/a; H2[$name]=0; TLS[$name]=0; TLSCPU[$name]=n/a
done

run_proxy() { # name phase
  local name="$1" phase="$2" http h2c https pid procs
  free_port http; free_port h2c; free_port https
  [ "$name" = meshfed ] && h2c="$http"
  pid="$("start_$name" "$http" "$h2c" "$https")"
  PIDS+=("$pid")
  wait_port "$http" || { log "$name did not start"; for f in "$WORK"/*.out "$WORK"/*/out "$WORK"/*/error.log; do [ -f "$f" ] && tail -n 20 "$f" >&2; done; return 1; }
  wait_port "$https" || { log "$name did not open its HTTPS port"; for f in "$WORK"/*.out "$WORK"/*/out "$WORK"/*/error.log; do [ -f "$f" ] && tail -n 20 "$f" >&2; done; }
  sleep 1
  procs="$(proc_tree "$pid")"
  # Warm up every path measured below (the JVM compiles HTTP/1.1, HTTP/2 and TLS code as it first runs; the others
  # fill their caches) without measuring.
  local warm=3
  [ "$name" = meshfed ] && warm=10
  taskset -c "$LOAD_CPUS" wrk -t1 -c64 -d"${warm}s" "http://127.0.0.1:$http/" >/dev/null 2>&1
  taskset -c "$LOAD_CPUS" timeout 60 h2load -c16 -m8 -D "$warm" "http://127.0.0.1:$h2c/" >/dev/null 2>&1
  taskset -c "$LOAD_CPUS" wrk -t1 -c8 -d"$((warm / 2))s" -H "Connection: close" "https://127.0.0.1:$https/" \
    >/dev/null 2>&1
  if [ "$name" = meshfed ]; then
    # After every path ran once (HTTP/2 and TLS recompile code HTTP/1.1 shares): on a core shared with other
    # processes the JIT's compiler threads (pinned there too) are starved, so keep warming in 5 s slices until two in
    # a row agree within 10% (at most 12 slices): a figure is not taken from half-compiled code.
    local previous=0 current slice
    for slice in $(seq 1 12); do
      current="$(taskset -c "$LOAD_CPUS" wrk -t1 -c64 -d5s "http://127.0.0.1:$http/" 2>/dev/null \
        | awk '/Requests\/sec/ {printf "%.0f", $2}')"
      if awk -v a="${current:-0}" -v b="$previous" 'BEGIN { exit !(b > 0 && a <= b * 1.1 && a >= b * 0.9) }'; then
        break
      fi
      previous="${current:-0}"
    done
    log "meshfed warmed up: ${current:-0} req/s in the last 5 s slice ($slice slices)"
  fi
  if [ "$phase" = peak ]; then
    local h1 h2 tls before after tls_cpu h1_cpu load_before load_after h1_load
    # At the peak both sides can saturate: the proxy's own CPU per request, and how busy wrk and the backend kept the
    # load CPU(s), say which one the figure measures.
    before="$(cpu_ticks "$procs")"
    load_before="$(load_cpu_ticks)"
    h1="$(wrk_peak "http://127.0.0.1:$http/")"
    load_after="$(load_cpu_ticks)"
    after="$(cpu_ticks "$procs")"
    h1_cpu="$(cpu_per_1000 $((after - before)) "$h1" 4)"
    h1_load="$(busy_percent "$load_before" "$load_after")"
    h2="$(h2_peak "http://127.0.0.1:$h2c/")"
    before="$(cpu_ticks "$procs")"
    tls="$(tls_handshakes "https://127.0.0.1:$https/")"
    after="$(cpu_ticks "$procs")"
    # The proxy's own CPU per handshake: the TLS client (wrk, on the load cores) is the usual bottleneck, so the rate
    # alone says little about the proxy's cost.
    tls_cpu="$(cpu_per_1000 $((after - before)) "$tls" 3)"
    if [ "${h1:-0}" -gt "${PEAK[$name]:-0}" ]; then
      PEAK[$name]="$h1"; PEAKCPU[$name]="$h1_cpu"; PEAKLOAD[$name]="$h1_load"
    fi
    [ "${h2:-0}" -gt "${H2[$name]:-0}" ] && H2[$name]="$h2"
    if [ "${tls:-0}" -gt "${TLS[$name]:-0}" ]; then TLS[$name]="$tls"; TLSCPU[$name]="$tls_cpu"; fi
    log "$name: peak HTTP/1.1 $h1 req/s ($h1_cpu vCPU per 1000/s, load CPU(s) $h1_load% busy), HTTP/2 $h2 req/s," \
      "TLS $tls handshakes/s ($tls_cpu vCPU per 1000/s)"
  else
    local before after result direct round row rows="" cpus="" picked
    # From here pace is the backend (the load core then runs one process, not a generator and nginx taking turns).
    # One unmeasured round first: the proxy reconnects to the new backend and meets its answers, and a JIT compiles
    # what that changes (meshfed otherwise spends the first second of the first round deoptimised).
    stop_backend
    rate_latency "$http" "$TARGET" serve >/dev/null
    # LAT_ROUNDS measurements, each the backend alone at the same rate right before (the baseline "added latency"
    # subtracts: contention from other processes changes minute to minute, so a baseline taken once would not match)
    # and then through the proxy. The round with the median added p99 is reported whole (its rate, latencies and
    # baseline); CPU per request is the median over the rounds.
    for round in $(seq 1 "$LAT_ROUNDS"); do
      direct="$(rate_latency "$BACKEND" "$TARGET" serve)"
      before="$(cpu_ticks "$procs")"
      result="$(rate_latency "$http" "$TARGET" serve)"
      after="$(cpu_ticks "$procs")"
      # rows: "added99 rps p50 p99 base50 base99"; none when the backend-alone round failed (nothing to subtract),
      # and a proxied round whose p99 failed ranks last (inf) rather than dropping out of the median.
      row="$(awk -v r="$result" -v d="$direct" 'BEGIN { split(r, a, " "); split(d, b, " ");
        if (b[3] !~ /^[0-9.]+$/) exit
        printf "%s %s %s %s %s %s", (a[3] ~ /^[0-9.]+$/ ? sprintf("%.3f", a[3] - b[3]) : "inf"), a[1], a[2], a[3],
          b[2], b[3] }')"
      [ -n "$row" ] && rows+="$row"$'\n'
      cpus+="$(cpu_per_1000 $((after - before)) "$(echo "$result" | cut -d' ' -f1)" 4)"$'\n'
      log "$name: latency round $round: through the proxy (rps p50 p99) $result, backend alone $direct"
    done
    # The middle row, the higher of the two middle ones when a failed round left an even count.
    picked="n/a 0 n/a n/a n/a n/a"
    local counted
    counted="$(printf '%s' "$rows" | grep -c .)"
    [ "$counted" -gt 0 ] && picked="$(printf '%s' "$rows" | sort -g | sed -n "$(( counted / 2 + 1 ))p")"
    RATE[$name]="$(echo "$picked" | cut -d' ' -f2)"
    LAT50[$name]="$(echo "$picked" | cut -d' ' -f3)"
    LAT99[$name]="$(echo "$picked" | cut -d' ' -f4)"
    BASE50[$name]="$(echo "$picked" | cut -d' ' -f5)"
    BASE99[$name]="$(echo "$picked" | cut -d' ' -f6)"
    # Rounds whose pace run failed (no rate) have no CPU figure; the median is over the others.
    local measured
    measured="$(printf '%s' "$cpus" | grep -v '^n/a$' | sort -n)"
    CPU[$name]="$(echo "$measured" | sed -n "$(( ($(echo "$measured" | grep -c .) + 1) / 2 ))p")"
    [ -z "${CPU[$name]}" ] && CPU[$name]="n/a"
    rate_latency "$http" 1000 serve >/dev/null
    RSS[$name]="$(( $(rss_kb "$procs") / 1024 ))"
    start_backend || return 1
    log "$name: at ${RATE[$name]} req/s p50 ${LAT50[$name]} ms p99 ${LAT99[$name]} ms, ${CPU[$name]} vCPU per" \
      "1000 req/s, RSS ${RSS[$name]} MiB at 1000 req/s"
  fi
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  sleep 1
}

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
log "proxies on CPU(s) $PROXY_CPUS with $WORKERS worker(s); load on CPU(s) $LOAD_CPUS; ${SECS}s per run;" \
  "load average $LOAD_BEFORE"
for round in $(seq 1 "$ROUNDS"); do
  for name in "${PROXIES[@]}"; do run_proxy "$name" peak || exit 1; done
done
TARGET=$(( PEAK[meshfed] / 2 ))
[ "$TARGET" -lt 1 ] && { log "meshfed had no peak figure: the latency rounds run at 1000 req/s"; TARGET=1000; }
log "half of meshfed's peak: $TARGET req/s"
# What this host alone costs: the same load to a backend that does no proxying on the proxies' CPU(s) (every request
# crosses to that core and back), and how often the host takes that CPU away (pace gaps: the clock jumping by more
# than 0.5 ms between two reads of a spinning loop). Neither proxies anything: they are the floor under every proxy.
free_port FLOOR_PORT
taskset -c "$PROXY_CPUS" "$WORK/pace" serve "$FLOOR_PORT" $((SECS + 10)) &
FLOOR_PID=$!
PIDS+=("$FLOOR_PID")
FLOOR="0 n/a n/a"
wait_port "$FLOOR_PORT" && FLOOR="$(rate_latency "$FLOOR_PORT" "$TARGET")"
kill "$FLOOR_PID" 2>/dev/null
wait "$FLOOR_PID" 2>/dev/null
GAPS="$(taskset -c "$PROXY_CPUS" "$WORK/pace" gaps "$SECS" | tr ' ' '\n' | cut -d= -f2 | paste -sd' ')"
log "no-proxy hop via CPU(s) $PROXY_CPUS (rps p50 p99): $FLOOR; host pauses of that CPU (count longest_us total_us): $GAPS"
for name in "${PROXIES[@]}"; do run_proxy "$name" steady || exit 1; done
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

ratio() { # a / b; n/a unless both are numbers and b is not 0
  awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b + 0 > 0) printf "%.2f", a / b
    else print "n/a" }'
}
added() { # through-the-proxy minus backend-alone; n/a when either round failed
  awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/) printf "%.3f", a - b; else print "n/a" }'
}

echo
echo "meshfed L7 gateway benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs, proxies on CPU(s) $PROXY_CPUS" \
  "($WORKERS worker), load on CPU(s) $LOAD_CPUS, ${SECS}s per measurement"
echo "load average before $LOAD_BEFORE, after $LOAD_AFTER (other processes on this machine share these cores)"
echo "meshfed on the $(sed -n 's/^READY.* transport=//p' "$WORK/meshfed.out" | tail -1) transport" \
  "(L7_BENCH_TRANSPORT=$TRANSPORT)"
echo "$(nginx -v 2>&1 | sed 's/.*: //'), HAProxy $(haproxy -v | head -1 | awk '{print $3}'), $(java -version 2>&1 | head -1)"
echo
printf "%-44s %12s %12s %12s\n" "" meshfed nginx haproxy
printf "%-44s %12s %12s %12s\n" "HTTP/1.1 keep-alive 1 KiB, req/s (wrk -c64)*" "${PEAK[meshfed]}" "${PEAK[nginx]}" "${PEAK[haproxy]}"
printf "%-44s %12s %12s %12s\n" "  proxy CPU per 1000 req/s at that peak, vCPU" "${PEAKCPU[meshfed]}" "${PEAKCPU[nginx]}" \
  "${PEAKCPU[haproxy]}"
printf "%-44s %12s %12s %12s\n" "  load CPU(s) busy at that peak, %" "${PEAKLOAD[meshfed]}" "${PEAKLOAD[nginx]}" \
  "${PEAKLOAD[haproxy]}"
printf "%-44s %12s %12s %12s\n" "HTTP/2 h2c 1 KiB, req/s (h2load -c16 -m8)*" "${H2[meshfed]}" "${H2[nginx]}" "${H2[haproxy]}"
printf "%-44s %12s %12s %12s\n" "offered load for latency/CPU, req/s" "${RATE[meshfed]}" "${RATE[nginx]}" "${RATE[haproxy]}"
declare -A ADD50 ADD99
for name in "${PROXIES[@]}"; do
  ADD50[$name]="$(added "${LAT50[$name]}" "${BASE50[$name]}")"
  ADD99[$name]="$(added "${LAT99[$name]}" "${BASE99[$name]}")"
done
printf "%-44s %12s %12s %12s\n" "latency p50 / p99 through the proxy, ms" "${LAT50[meshfed]}/${LAT99[meshfed]}" \
  "${LAT50[nginx]}/${LAT99[nginx]}" "${LAT50[haproxy]}/${LAT99[haproxy]}"
printf "%-44s %12s %12s %12s\n" "backend alone just before, p50 / p99, ms" "${BASE50[meshfed]}/${BASE99[meshfed]}" \
  "${BASE50[nginx]}/${BASE99[nginx]}" "${BASE50[haproxy]}/${BASE99[haproxy]}"
printf "%-44s %12s %12s %12s\n" "added latency p50, ms" "${ADD50[meshfed]}" "${ADD50[nginx]}" "${ADD50[haproxy]}"
printf "%-44s %12s %12s %12s\n" "added latency p99, ms" "${ADD99[meshfed]}" "${ADD99[nginx]}" "${ADD99[haproxy]}"
printf "%-44s %12s %12s %12s\n" "CPU per 1000 req/s, vCPU" "${CPU[meshfed]}" "${CPU[nginx]}" "${CPU[haproxy]}"
printf "%-44s %12s %12s %12s\n" "RSS at 1000 req/s, MiB" "${RSS[meshfed]}" "${RSS[nginx]}" "${RSS[haproxy]}"
printf "%-44s %12s %12s %12s\n" "HTTPS TLS 1.3 ECDSA handshakes/s*" "${TLS[meshfed]}" "${TLS[nginx]}" "${TLS[haproxy]}"
printf "%-44s %12s %12s %12s\n" "  proxy CPU per 1000 handshakes/s, vCPU" "${TLSCPU[meshfed]}" "${TLSCPU[nginx]}" \
  "${TLSCPU[haproxy]}"
echo "* best of $ROUNDS interleaved rounds; latency, baseline and CPU: the median of $LAT_ROUNDS rounds per proxy"
read -r _ FLOOR50 FLOOR99 <<<"$FLOOR"
read -r GAP_COUNT GAP_LONGEST GAP_TOTAL <<<"$GAPS"
in_ms() { awk -v u="${1:-}" 'BEGIN { if (u ~ /^[0-9]+$/) printf "%.1f", u / 1000; else print "n/a" }'; }
echo "this host: at $TARGET req/s a hop that does no proxying on CPU(s) $PROXY_CPUS reads p50 $FLOOR50 ms, p99" \
  "$FLOOR99 ms; in ${SECS}s a spinning loop on CPU(s) $PROXY_CPUS saw the host pause it ${GAP_COUNT:-n/a} times for" \
  "over 0.5 ms (longest $(in_ms "${GAP_LONGEST:-}") ms, $(in_ms "${GAP_TOTAL:-}") ms in all)"
echo
echo "ratios (meshfed / peer, same run; targets from issue 7):"
echo "  HTTP/1.1 throughput vs HAProxy $(ratio "${PEAK[meshfed]}" "${PEAK[haproxy]}") (target >= 1.0)," \
  "vs nginx $(ratio "${PEAK[meshfed]}" "${PEAK[nginx]}") (target >= 1.0)"
echo "  HTTP/1.1 proxy CPU per request at the peak vs HAProxy $(ratio "${PEAKCPU[meshfed]}" "${PEAKCPU[haproxy]}")," \
  "vs nginx $(ratio "${PEAKCPU[meshfed]}" "${PEAKCPU[nginx]}") (below 1: meshfed spends less per request)"
if awk -v a="${PEAKLOAD[meshfed]}" -v b="${PEAKLOAD[nginx]}" -v c="${PEAKLOAD[haproxy]}" \
  'function busy(v) { return v ~ /^[0-9]+$/ && v + 0 >= 90 } BEGIN { exit !(busy(a) && busy(b) && busy(c)) }'; then
  echo "  (the load CPU(s) were 90% busy or more at every HTTP/1.1 peak: wrk and the backend bound those peaks as much"
  echo "  as the proxies do, so the throughput ratios move with that bound; CPU per request is each proxy's own cost)"
fi
echo "  HTTP/2 throughput vs HAProxy $(ratio "${H2[meshfed]}" "${H2[haproxy]}"), vs nginx $(ratio "${H2[meshfed]}" "${H2[nginx]}")"
echo "  TLS handshakes vs HAProxy $(ratio "${TLS[meshfed]}" "${TLS[haproxy]}") (target >= 0.9)," \
  "vs nginx $(ratio "${TLS[meshfed]}" "${TLS[nginx]}")"
echo "  added latency at half of peak: p50 ${ADD50[meshfed]} ms (target <= 0.2), p99 ${ADD99[meshfed]} ms (target <= 1)"
echo "  CPU per 1000 req/s ${CPU[meshfed]} vCPU (target <= 0.05; Envoy in Istio's published test: 0.20)"
echo "  RSS at 1000 req/s ${RSS[meshfed]} MiB (target <= 150)"
