#!/usr/bin/env bash
# Requests per second through nginx with 1 replica and with 2 (Tools/cluster/run, deploy/nginx), in one run on this
# machine: translate requests of short sentences at 16 connections, the caches off so that every request runs the
# engine (each replica: 1 engine worker, both CPU cores available to BLAS within it).
#   Tools/benchmarks/cluster_throughput.sh [seconds per run, default 20]
# Needs a release build, wrk, postgresql, redis-server and nginx. Prints one JSON object.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_RUN=${1:-20}
unset OPENBLAS_CORETYPE
W=$(mktemp -d /tmp/csanmt-cluster-bench.XXXX); chmod 755 "$W"
SRC=../shared/data/test/tatoeba_holdout/tatoeba_holdout1000.zh   # a test set: used to measure, never to train
python3 - "$SRC" > "$W/sentences.txt" <<'PY'
import sys
lines = [l.strip() for l in open(sys.argv[1], encoding="utf-8") if 0 < len(l.strip()) <= 20][:300]
print("\n".join(lines))
PY
# What runs inside the cluster: a tenant without limits, its token, and wrk through nginx.
cat > "$W/load.sh" <<'SH'
set -euo pipefail
op=$(curl -fsS "$NGINX_URL/api/v1/auth/operator-token" -H 'Content-Type: application/json' \
    -d "{\"operator_id\": \"$OPERATOR_ID\", \"api_key\": \"$OPERATOR_KEY\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
curl -fsS "$NGINX_URL/api/v1/admin/tenants" -H "Authorization: Bearer $op" -H 'Content-Type: application/json' \
    -d '{"id": "bench", "name": "Bench", "limits": {"requests_per_second": "unlimited", "characters_per_minute": "unlimited", "max_in_flight": "unlimited", "max_queued_sentences": "unlimited"}}' >/dev/null
key=$(curl -fsS "$NGINX_URL/api/v1/admin/tenants/bench/keys" -H "Authorization: Bearer $op" -H 'Content-Type: application/json' -d '{}' \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')
export CSANMT_TOKEN=$(curl -fsS "$NGINX_URL/api/v1/auth/token" -H 'Content-Type: application/json' \
    -d "{\"tenant_id\": \"bench\", \"api_key\": \"$key\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
export CSANMT_SENTENCES=$BENCH_DIR/sentences.txt
wrk -t2 -c16 -d3s -s "$CLUSTER_ROOT/Tools/benchmarks/translate_post.lua" "$NGINX_URL" >/dev/null   # warm-up
wrk -t2 -c16 -d"${BENCH_SECONDS}s" --latency -s "$CLUSTER_ROOT/Tools/benchmarks/translate_post.lua" "$NGINX_URL" > "$BENCH_DIR/wrk-$REPLICAS.txt"
SH
export BENCH_DIR=$W BENCH_SECONDS=$SECONDS_PER_RUN CSANMT_CACHE_ENTRIES=0 CSANMT_CACHE_TTL=0
for n in 1 2; do
    Tools/cluster/run --replicas "$n" --port $((19080 + 100 * n)) -- bash "$W/load.sh" >/dev/null
done
python3 - "$W" "$(nproc)" <<'PY'
import json, re, sys
w, cores = sys.argv[1], int(sys.argv[2])
out = {"cores": cores, "connections": 16, "cache": "off"}
for n in (1, 2):
    text = open(f"{w}/wrk-{n}.txt").read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    lat = {p: m for p, m in re.findall(r"\s(50|99)%\s+([\d.]+\w+)", text)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    out[f"replicas_{n}"] = {"requests_per_second": rps, "p50": lat.get("50"), "p99": lat.get("99"),
                            "non_2xx": int(errors.group(1)) if errors else 0}
out["ratio_2_to_1"] = round(out["replicas_2"]["requests_per_second"] / out["replicas_1"]["requests_per_second"], 2)
print(json.dumps(out, indent=2))
PY
