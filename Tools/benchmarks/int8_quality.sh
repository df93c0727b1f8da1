#!/usr/bin/env bash
# int8 and the vocabulary shortlist on the shipped zh→en model, FLORES-200 devtest (1,012 sentences), all in one run:
# float32, int8, float32 + vmap, int8 + vmap. Reports seconds, chrF/BLEU (sacrebleu) and the share of translations
# identical to float32. Not run in CI.
#
#   Tools/benchmarks/int8_quality.sh [WORK_DIR]         (default WORK_DIR=$TMPDIR/csanmt-int8-quality)
#
# Needs: a release build; python3 with sacrebleu (Tools/train-default-model/requirements.txt); the training pairs the
# recipe prepares (Tools/train-default-model/README.md, prepare_data.py: DATA=.../data with train.bpe.zh and
# train.bpe.en; either direction's preparation holds the same pairs and BPE), from which the vmap is built.
# The test sets are never used to build the map.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=${1:-${TMPDIR:-/tmp}/csanmt-int8-quality}
DATA=${DATA:?set DATA to the folder prepare_data.py wrote (Tools/train-default-model/README.md)}
PYTHON=${PYTHON:-python3}
THREADS=${THREADS:-2}
MODEL=Weights/csanmt-zh2en-small
SRC=../shared/data/test/flores200/flores200.devtest.zho_Hans-eng_Latn.zh
REF=../shared/data/test/flores200/flores200.devtest.zho_Hans-eng_Latn.en
mkdir -p "$WORK"
# The engine chooses its own BLAS kernel; make sure no inherited setting overrides it.
unset OPENBLAS_CORETYPE
swift build -c release --product csanmt >/dev/null
[ -f "$WORK/zh2en.vmap" ] || .build/release/csanmt vmap --model "$MODEL" --pieces \
  --source "$DATA/train.bpe.zh" --target "$DATA/train.bpe.en" --out "$WORK/zh2en.vmap"

run() {   # name, extra options
  local name=$1; shift
  local s e
  s=$(date +%s.%N)
  .build/release/csanmt translate --model "$MODEL" --threads "$THREADS" "$@" < "$SRC" > "$WORK/$name.hyp"
  e=$(date +%s.%N)
  echo "{\"name\": \"$name\", \"seconds\": $(echo "$e - $s" | bc)}" >> "$WORK/times.jsonl"
}
: > "$WORK/times.jsonl"
for round in 1 2; do   # two rounds, interleaved, so a slow spell of the machine hits every configuration
  run "float32.r$round" --compute float32
  run "int8.r$round" --compute int8
  run "float32-vmap.r$round" --compute float32 --vmap "$WORK/zh2en.vmap"
  run "int8-vmap.r$round" --compute int8 --vmap "$WORK/zh2en.vmap"
done

"$PYTHON" - "$WORK" "$REF" <<'PY'
import json, statistics, sys
import sacrebleu
work, ref_path = sys.argv[1], sys.argv[2]
ref = open(ref_path, encoding='utf-8').read().splitlines()
times = [json.loads(l) for l in open(work + '/times.jsonl')]
base = open(work + '/float32.r1.hyp', encoding='utf-8').read().splitlines()
summary = {}
for name in ('float32', 'int8', 'float32-vmap', 'int8-vmap'):
    hyp = open('%s/%s.r1.hyp' % (work, name), encoding='utf-8').read().splitlines()
    again = open('%s/%s.r2.hyp' % (work, name), encoding='utf-8').read().splitlines()
    assert len(hyp) == len(ref) == len(base), (name, len(hyp), len(ref))
    secs = [t['seconds'] for t in times if t['name'].split('.r')[0] == name]
    summary[name] = {
        'seconds_runs': secs, 'seconds': statistics.median(secs),
        'chrf': round(sacrebleu.corpus_chrf(hyp, [ref]).score, 2),
        'bleu': round(sacrebleu.corpus_bleu(hyp, [ref]).score, 2),
        'identical_to_float32': sum(a == b for a, b in zip(hyp, base)),
        'deterministic': hyp == again,
        'sentences': len(hyp),
    }
for name, s in summary.items():
    s['time_over_float32'] = round(s['seconds'] / summary['float32']['seconds'], 3)
json.dump(summary, open(work + '/summary.json', 'w'), indent=2)
print(json.dumps(summary, indent=2))
PY
