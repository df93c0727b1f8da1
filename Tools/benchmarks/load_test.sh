#!/usr/bin/env bash
# Load benchmarks of `csanmt serve` (issue 6), all in one run on this machine:
#   1. quota check overhead: cached translations at 1 connection, in-process counter vs Redis (p50/p99 per request);
#   2. end to end with the default model on short sentences at 1, 8 and 32 connections, batching on and off;
#   3. the batching gain at 32 connections for float32, int8, and int8 with a vocabulary map (VMAP=FILE, e.g. the
#      one Tools/benchmarks/int8_quality.sh builds; skipped without it). With PERF_DIR, each of those runs is
#      profiled with `perf record` on the server and its top symbols written to PERF_DIR/<config>-<mode>.txt.
# Needs: a release build (swift build -c release), wrk, redis-server. Usage:
#   [SECTIONS="quota e2e gain"] [VMAP=FILE] [PERF_DIR=DIR] Tools/benchmarks/load_test.sh [seconds per run, default 20] > docs/load.txt
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_RUN=${1:-20}
SECTIONS=${SECTIONS:-quota e2e gain}
# The engine chooses its own BLAS kernel; make sure no inherited setting overrides it.
unset OPENBLAS_CORETYPE
VMAP=${VMAP:-}
BIN=.build/release/csanmt
W=$(mktemp -d /tmp/csanmt-load.XXXX)
REDIS_PORT=6392
PORT=8197
trap 'kill $(jobs -p) 2>/dev/null || true; redis-cli -p $REDIS_PORT shutdown nosave >/dev/null 2>&1 || true' EXIT

# Short sentences: the first 300 lines of the Tatoeba hold-out of at most 20 characters (a test set: used to measure,
# never to train).
SRC=../shared/data/test/tatoeba_holdout/tatoeba_holdout1000.zh
python3 - "$SRC" > $W/sentences.txt <<'PY'
import sys
lines = [l.strip() for l in open(sys.argv[1], encoding="utf-8") if 0 < len(l.strip()) <= 20][:300]
print("\n".join(lines))
PY
echo "sentences: $(wc -l < $W/sentences.txt) from $SRC (mean $(python3 -c "import sys; l=open('$W/sentences.txt',encoding='utf-8').read().split(chr(10)); print(round(sum(map(len,l))/len(l),1))") characters)"

redis-server --port $REDIS_PORT --bind 127.0.0.1 --save '' --appendonly no --daemonize yes >/dev/null
$BIN tenant create --db $W/t.sqlite --id org_load --name Load >/dev/null
# One tenant drives the whole load: lift its isolation limits (rate, characters, in-flight, queue; docs/server.md,
# "Isolation between tenants"), which would otherwise answer most of these requests with 429.
$BIN tenant update --db $W/t.sqlite --id org_load --requests-per-second unlimited --characters-per-minute unlimited \
  --max-in-flight unlimited --max-queued-sentences unlimited --daily-requests 1000000000 >/dev/null
KEY=$($BIN key create --db $W/t.sqlite --tenant org_load | tail -1)

start() {  # start ARGS... : serve in the background, wait until ready, export CSANMT_TOKEN
  $BIN serve --db $W/t.sqlite --port $PORT "$@" > $W/serve.log 2>&1 &
  SERVER=$!
  for _ in $(seq 1 120); do curl -sf localhost:$PORT/api/ready >/dev/null && break; sleep 0.5; done
  export CSANMT_TOKEN=$(curl -s localhost:$PORT/api/v1/auth/token -H 'Content-Type: application/json' \
    -d "{\"tenant_id\":\"org_load\",\"api_key\":\"$KEY\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
}
stop() { kill -INT $SERVER; wait $SERVER 2>/dev/null || true; }
run() {  # run LABEL CONNECTIONS SECONDS
  local out
  out=$(wrk -t1 -c$2 -d${3}s --timeout 30s -s Tools/benchmarks/translate_post.lua http://127.0.0.1:$PORT | grep RESULT)
  echo "$1 c=$2 ${out#RESULT }"
}
export CSANMT_SENTENCES=$W/sentences.txt

if [[ " $SECTIONS " == *" quota "* ]]; then
  echo "== quota overhead: one cached sentence, 1 connection (no engine work) =="
  export CSANMT_FIXED=1
  start --workers 1
  run "in-process counter" 1 $SECONDS_PER_RUN
  stop
  CSANMT_CACHE_TTL=0 start --workers 1 --redis redis://127.0.0.1:$REDIS_PORT
  run "redis counter     " 1 $SECONDS_PER_RUN
  stop
  unset CSANMT_FIXED
fi

if [[ " $SECTIONS " == *" e2e "* ]]; then
  echo "== end to end, default model, short sentences, cache off =="
  for mode in on off; do
    flags=(); [ $mode = off ] && flags=(--no-batching)
    CSANMT_CACHE_ENTRIES=0 start "${flags[@]}"
    run "warm-up batching=$mode" 8 5 > /dev/null
    for c in 1 8 32; do run "batching=$mode" $c $SECONDS_PER_RUN; done
    stop
  done
fi

if [[ " $SECTIONS " == *" gain "* ]]; then
  echo "== batching gain at 32 connections by compute type, default model, short sentences, cache off =="
  configs=("float32" "int8")
  [ -n "$VMAP" ] && configs+=("int8+vmap")
  for config in "${configs[@]}"; do
    case $config in
      float32) cflags=(--model Weights/csanmt-zh2en-small --compute float32) ;;
      int8) cflags=(--model Weights/csanmt-zh2en-small --compute int8) ;;
      int8+vmap) cflags=(--model Weights/csanmt-zh2en-small --compute int8 --vmap "$VMAP") ;;
    esac
    for mode in on off; do
      flags=("${cflags[@]}"); [ $mode = off ] && flags+=(--no-batching)
      CSANMT_CACHE_ENTRIES=0 start "${flags[@]}"
      run "warm-up" 8 5 > /dev/null
      if [ -n "${PERF_DIR:-}" ]; then   # profile the server during the run: where its CPU time goes
        mkdir -p "$PERF_DIR"
        perf record -F 499 -g -o "$PERF_DIR/$config-$mode.data" -p $SERVER -- sleep $SECONDS_PER_RUN >/dev/null 2>&1 &
        PERF=$!
      fi
      run "$config batching=$mode" 32 $SECONDS_PER_RUN
      if [ -n "${PERF_DIR:-}" ]; then
        wait $PERF || true
        perf report -i "$PERF_DIR/$config-$mode.data" --no-children --sort dso,symbol --stdio 2>/dev/null \
          | grep -E '^ +[0-9]' | head -25 > "$PERF_DIR/$config-$mode.txt" || true
      fi
      stop
    done
  done
fi
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); BLAS $(.build/release/csanmt inspect | grep -i kernel | head -1)"
