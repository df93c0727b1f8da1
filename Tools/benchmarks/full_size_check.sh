#!/usr/bin/env bash
# Full-size check (not run in CI): ModelScope TF vs the Swift engine (and CTranslate2 when installed) on the same
# random-weight 24-6-1024 V=50000 zh2en checkpoint, the same 20-token source, beam 4, 100 steps, in one run.
#
#   Tools/benchmarks/full_size_check.sh [WORK_DIR]        (default WORK_DIR=/work/scratch/full)
#
# Needs: the oracle venv (VENV, default /work/venv-oracle) with tensorflow-cpu 2.15.1 + modelscope 1.40.2
# (and optionally ctranslate2); a release build (`swift build -c release`). Prints a summary and writes
# WORK_DIR/summary.json. See Tools/benchmarks/README.md and docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=${1:-/work/scratch/full}
VENV=${VENV:-/work/venv-oracle}
THREADS=${THREADS:-2}
REPEATS=${REPEATS:-3}
# Untimed engine runs before the timed one in each process, as TF and CTranslate2 get a warm-up run: the weights are
# memory-mapped, so a cold first run also pays for reading 2.3 GB in (WARMUP=0 measures that cold run).
WARMUP=${WARMUP:-1}
SRC='[523, 1874, 99, 40213, 7, 15000, 333, 2718, 28182, 845, 9045, 16, 4999, 31337, 1234, 27, 888, 45000, 62, 7777]'
mkdir -p "$WORK" "$WORK/tmp"
export TMPDIR="$WORK/tmp" MODELSCOPE_CACHE="$WORK/ms-cache" HOME="${BENCH_HOME:-$HOME}"
# The engine chooses its own BLAS kernel; make sure no inherited setting overrides it.
unset OPENBLAS_CORETYPE
. "$VENV/bin/activate"

[ -f "$WORK/ms-zh2en/tf_ckpts/ckpt-0.index" ] || python Tools/benchmarks/make_full_checkpoint.py "$WORK/ms-zh2en"
swift build -c release --product convert-weights >/dev/null
swift build -c release --product csanmt >/dev/null

echo "== convert"
/usr/bin/time -f '{"convert_s": %e, "convert_rss_kb": %M}' -o "$WORK/convert.json" \
  .build/release/convert-weights --input "$WORK/ms-zh2en" --output "$WORK/model" --force 2>/dev/null
cat "$WORK/convert.json"

echo "== engine (x$REPEATS, $THREADS threads)"
: > "$WORK/engine_runs.jsonl"
for i in $(seq "$REPEATS"); do
  echo "$SRC" | /usr/bin/time -f '{"wall_s": %e, "rss_kb": %M}' -o "$WORK/engine_time.json" \
    .build/release/csanmt translate-ids --model "$WORK/model" --threads "$THREADS" --timing --warmup "$WARMUP" \
    > "$WORK/engine_out.json" 2> "$WORK/engine_timing.json"
  python - "$WORK" <<'PY' | tee -a "$WORK/engine_runs.jsonl"
import json, sys
w = sys.argv[1]
t = json.load(open(w + '/engine_timing.json')); t.update(json.load(open(w + '/engine_time.json')))
print(json.dumps(t))
PY
done

echo "== engine int8 (x$REPEATS, $THREADS threads): --storage int8 folder, --compute int8 on the f32 folder, int8 + a synthetic --vmap"
[ -f "$WORK/model-int8/model.safetensors" ] || .build/release/convert-weights --input "$WORK/ms-zh2en" --output "$WORK/model-int8" --storage int8 --force >/dev/null
# A synthetic shortlist for the random model (it has no vocabulary or corpus): every source id gets 50 fixed
# candidates (id·7 + 1009·j mod V, j < 50) and ids 0..999 are always scored, so this source's 20 ids give about
# 2,000 of the 50,000 columns, the size a corpus-built map gives a real sentence.
python - "$WORK/synthetic.vmap" <<'PY'
import sys
V = 50000
with open(sys.argv[1], 'w') as f:
    f.write('#ids\n\t' + ' '.join(str(i) for i in range(1000)) + '\n')
    for s in range(V):
        f.write('%d\t%s\n' % (s, ' '.join(str((s * 7 + 1009 * j) % V) for j in range(50))))
PY
for variant in int8-folder int8-at-load int8-vmap; do
  case $variant in
    int8-folder) ARGS=(--model "$WORK/model-int8") ;;
    int8-at-load) ARGS=(--model "$WORK/model" --compute int8) ;;
    int8-vmap) ARGS=(--model "$WORK/model-int8" --vmap "$WORK/synthetic.vmap") ;;
  esac
  : > "$WORK/engine_${variant}_runs.jsonl"
  for i in $(seq "$REPEATS"); do
    echo "$SRC" | /usr/bin/time -f '{"wall_s": %e, "rss_kb": %M}' -o "$WORK/engine_time.json" \
      .build/release/csanmt translate-ids "${ARGS[@]}" --threads "$THREADS" --timing --warmup "$WARMUP" \
      > "$WORK/engine_${variant}_out.json" 2> "$WORK/engine_timing.json"
    python - "$WORK" <<'PY' | tee -a "$WORK/engine_${variant}_runs.jsonl"
import json, sys
w = sys.argv[1]
t = json.load(open(w + '/engine_timing.json')); t.update(json.load(open(w + '/engine_time.json')))
print(json.dumps(t))
PY
  done
done

echo "== ModelScope TF ($THREADS threads)"
python Tools/benchmarks/tf_decode_time.py "$WORK/ms-zh2en" --src "$SRC" --beam 4 --repeats 2 --threads "$THREADS" \
  > "$WORK/tf_result.json"
python -c "import json; d=json.load(open('$WORK/tf_result.json')); print({k: d[k] for k in ('seconds', 'restore_s', 'peak_rss_mb')})"

CT2_JSON=""
if python -c "import ctranslate2" 2>/dev/null; then
  echo "== CTranslate2 ($(python -c 'import ctranslate2; print(ctranslate2.__version__)'), same shape, random weights, no semantic encoder)"
  export CT2_BENCH_DIR="$WORK/ct2"
  mkdir -p "$CT2_BENCH_DIR"
  for q in float32 int8; do
    [ -d "$CT2_BENCH_DIR/m_$q" ] || python ../shared/reference/ct2_bench.py build --out "$CT2_BENCH_DIR/m_$q" --quantization "$q" >/dev/null
    python ../shared/reference/ct2_bench.py run --model "$CT2_BENCH_DIR/m_$q" --compute-type "$q" --threads "$THREADS" \
      --reps 3 --loads 1 --beam 4 --src-len 20 | grep "^RESULT " | tail -1 | sed "s/^RESULT //" | tee "$WORK/ct2_$q.json"
  done
  CT2_JSON=1
fi

WARMUP=$WARMUP python - "$WORK" "$CT2_JSON" <<'PY'
import json, os, statistics, sys
w, have_ct2 = sys.argv[1], sys.argv[2]
tf = json.load(open(w + '/tf_result.json'))
eng_out = json.loads(open(w + '/engine_out.json').read())
runs = [json.loads(l) for l in open(w + '/engine_runs.jsonl')]
conv = json.load(open(w + '/convert.json'))
same = eng_out['beams'] == tf['beams']
diff = max(abs(a - b) for a, b in zip(eng_out['scores'], tf['scores']))
summary = {
    'beams_identical': same, 'max_score_diff': diff,
    'convert_s': conv['convert_s'], 'convert_peak_rss_mb': conv['convert_rss_kb'] / 1024,
    'engine_load_s': statistics.median(r['load_s'] for r in runs),
    'engine_translate_s': statistics.median(r['translate_s'] for r in runs),
    'engine_translate_runs_s': [r['translate_s'] for r in runs],
    'engine_warmup': int(os.environ['WARMUP']),
    'engine_warmup_runs_s': [r.get('warmup_s') for r in runs],
    'engine_peak_rss_mb': max(r['rss_kb'] for r in runs) / 1024,
    'weight_bytes_mb': 2278221824 / 2**20,
    'tf_translate_s': statistics.median(tf['seconds']), 'tf_translate_runs_s': tf['seconds'],
    'tf_peak_rss_mb': tf.get('peak_rss_mb'),
}
summary['speedup_vs_tf'] = summary['tf_translate_s'] / summary['engine_translate_s']
for variant in ('int8-folder', 'int8-at-load', 'int8-vmap'):
    vr = [json.loads(l) for l in open(w + '/engine_%s_runs.jsonl' % variant)]
    out = json.loads(open(w + '/engine_%s_out.json' % variant).read())
    key = 'engine_' + variant.replace('-', '_')
    summary[key] = {'translate_s': statistics.median(r['translate_s'] for r in vr),
                    'translate_runs_s': [r['translate_s'] for r in vr],
                    'load_s': statistics.median(r['load_s'] for r in vr),
                    'peak_rss_mb': max(r['rss_kb'] for r in vr) / 1024,
                    'best_beam_same_as_fp32': out['beams'][0] == eng_out['beams'][0]}
    summary[key]['rss_over_fp32_weights'] = summary[key]['peak_rss_mb'] / summary['weight_bytes_mb']
    summary[key]['over_engine_fp32'] = summary[key]['translate_s'] / summary['engine_translate_s']
summary['rss_over_weights'] = summary['engine_peak_rss_mb'] / summary['weight_bytes_mb']
if have_ct2:
    for q in ('float32', 'int8'):
        try:
            r = json.loads(open(w + '/ct2_%s.json' % q).read())
            summary['ct2_' + q] = {'median_s': r['median_s'], 'runs_s': [x['s'] for x in r['runs']],
                                   'peak_rss_mb': r.get('peak_rss_mb_getrusage'),
                                   'other_cores_busy': [round(x['other_cores'], 2) for x in r['runs']]}
        except Exception as e:  # keep the engine/TF figures even if CT2 output changes shape
            summary['ct2_' + q] = 'unreadable: %s' % e
    if isinstance(summary.get('ct2_int8'), dict):
        for variant in ('engine_int8_folder', 'engine_int8_at_load', 'engine_int8_vmap'):
            summary[variant]['over_ct2_int8'] = summary[variant]['translate_s'] / summary['ct2_int8']['median_s']
json.dump(summary, open(w + '/summary.json', 'w'), indent=2)
print(json.dumps(summary, indent=2))
sys.exit(0 if same and diff < 1e-3 else 1)
PY
