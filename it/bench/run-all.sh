#!/usr/bin/env bash
# The benchmark suite (issue 8): every speed and memory benchmark of the other issues, one after another, each
# bounded in time, each printing its figures and its peer's figures from the same run. Their output is collected
# into one Markdown report, it/bench/results/latest.md (each benchmark's full output also in results/<name>.txt).
#
#   it/bench/run-all.sh              # the whole suite: ~40 minutes on 2 cores
#   it/bench/run-all.sh --smoke      # every benchmark with tiny bounds (~5 minutes): checks the suite runs
#   it/bench/run-all.sh trust xds    # only the named benchmarks
#
# Benchmarks: trust (JMH SVID signing, issue 3), federation (propagation + initial sync, issue 4), xds (delta push
# p99, issue 5), mesh-push (the same through the translator at the issue's scale, issue 5), translate
# (full/incremental translation, issue 5), eastwest (vs HAProxy, issue 6),
# l7 (vs nginx and HAProxy, issue 7). eastwest and l7 need haproxy, nginx, wrk and h2load, l7 a C compiler too: run
# .ci/install-tools as root first (this script does it when it is root and one is missing). A benchmark that fails or
# runs out of time is reported as such in the table; the suite goes on with the next one.
#
# Environment: BENCH_LIMIT (seconds per benchmark, default 1200; --smoke: 300).
set -uo pipefail
cd "$(dirname "$0")/../.."

smoke=false
selected=()
for arg in "$@"; do
  case "$arg" in
    --smoke) smoke=true ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run-all.sh: unknown option $arg (expected: --smoke, --help or benchmark names)" >&2; exit 2 ;;
    *) selected+=("$arg") ;;
  esac
done

results=it/bench/results
mkdir -p "$results"
if $smoke; then limit=${BENCH_LIMIT:-300}; else limit=${BENCH_LIMIT:-1200}; fi

# name | issue | what | command (smoke) | command (full)
benchmarks=(
  "trust|3|SVID signing, ECDSA P-256, per core (JMH)|JMH_OPTS='-f 1 -t 1 -wi 1 -w 1s -i 1 -r 1s' it/bench/run-jmh.sh SvidSigning|it/bench/run-jmh.sh SvidSigning"
  "federation|4|endpoint change propagation p50/p99; initial sync and heap of a joining member|it/bench/federation-bench.sh 50|it/bench/federation-bench.sh"
  "xds|5|delta ADS push p99, 100 gateways|it/bench/xds-push.sh gateways=10 clusters=100 rounds=5|it/bench/xds-push.sh"
  "mesh-push|5|delta EDS push p99 through the translator, 10k services / 100k endpoints, 100 gateways|it/bench/mesh-push.sh services=500 endpoints=5000 routes=50 gateways=10 rounds=6|it/bench/mesh-push.sh"
  "translate|5|full and incremental translation, 10k services / 100k endpoints|it/bench/translate.sh services=500 endpoints=5000 routes=50 rounds=3 fulls=1|it/bench/translate.sh"
  "eastwest|6|passthrough throughput, added p99, mTLS handshakes, RSS vs HAProxy|DURATION=2 WARMUP=1 HS_WARMUP=2 HOLD=100 it/bench/eastwest.sh|it/bench/eastwest.sh"
  "l7|7|HTTP/1.1 + HTTP/2 throughput, added latency, CPU, RSS, handshakes vs nginx and HAProxy|L7_BENCH_SECONDS=2 L7_BENCH_ROUNDS=1 it/bench/l7.sh|it/bench/l7.sh"
)

known=" "
for entry in "${benchmarks[@]}"; do known+="${entry%%|*} "; done
for name in "${selected[@]}"; do
  [[ "$known" == *" $name "* ]] || { echo "run-all.sh: unknown benchmark $name (expected one of:$known)" >&2; exit 2; }
done

wanted() {
  [ ${#selected[@]} -eq 0 ] && return 0
  local name
  for name in "${selected[@]}"; do [ "$name" = "$1" ] && return 0; done
  return 1
}

if [ "$(id -u)" = 0 ]; then
  for tool in haproxy nginx wrk h2load cc; do
    command -v "$tool" >/dev/null || { echo "== installing the peers (.ci/install-tools)"; .ci/install-tools; break; }
  done
fi

echo "== building once (the benchmarks' own builds then find everything up to date)"
./mvnw -B -q -DskipTests package >/dev/null || { echo "run-all.sh: the build failed" >&2; exit 1; }

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
rows=()
sections=()
for entry in "${benchmarks[@]}"; do
  IFS='|' read -r name issue what smoke_cmd full_cmd <<< "$entry"
  wanted "$name" || continue
  script=$(echo "$full_cmd" | awk '{print $1}')
  if [ ! -x "$script" ]; then
    rows+=("| $name | $issue | $what | not present ($script) | | |")
    continue
  fi
  if $smoke; then cmd=$smoke_cmd; else cmd=$full_cmd; fi
  echo "== $name: $cmd (at most ${limit}s)"
  out="$results/$name.txt"
  begin=$(date +%s)
  timeout --kill-after=30 "$limit" bash -c "$cmd" > "$out" 2> "$results/$name.err" < /dev/null
  code=$?
  seconds=$(( $(date +%s) - begin ))
  case $code in
    0) status="ok" ;;
    124|137) status="out of time after ${limit}s" ;;
    *) status="failed (exit $code, see $name.err)" ;;
  esac
  echo "   $status in ${seconds}s"
  rows+=("| $name | $issue | $what | $status | ${seconds}s | [$name.txt]($name.txt) |")
  sections+=("$name")
done

report="$results/latest.md"
{
  echo "# meshfed benchmark suite"
  echo
  echo "Run $( $smoke && echo "in smoke mode (tiny bounds: these figures check the suite runs, they measure nothing) " )started $started"
  echo "on $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //')), commit"
  echo "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)'),"
  echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown). Each benchmark runs its peer"
  echo "(nginx, HAProxy, or the issue's target) in the same run; the figures below are what it printed."
  echo
  echo "| benchmark | issue | measures | outcome | time | output |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  for name in "${sections[@]}"; do
    echo
    echo "## $name"
    echo
    echo '```'
    # The figures only: Maven's, JMH's and the JVM's chatter stays in the .txt file.
    if grep -q '^== meshfed benchmark figures' "$results/$name.txt"; then
      sed -n '/^== meshfed benchmark figures/,$p' "$results/$name.txt"
    else
      grep -v -E '^\[(INFO|WARNING|ERROR)\]|^SLF4J|^WARNING: ' "$results/$name.txt" | tail -n 60
    fi
    echo '```'
  done
} > "$report"
echo "== wrote $report"
