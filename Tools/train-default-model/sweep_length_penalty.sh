#!/usr/bin/env bash
# Sweep the beam search's length penalty (ModelScope's `lp_rate`, our config.json `decoding.length_penalty`) on
# FLORES-200 **dev** — never devtest, which is the test set — with the Swift engine, beam 4, in the model's direction
# (config.json's source_language: zh→en, or en→zh with BLEU on sacrebleu's zh tokenizer and chrF on characters).
#
#   Tools/train-default-model/sweep_length_penalty.sh [MODEL_DIR] [LP ...]
#   (default: Weights/csanmt-zh2en-small, 0.6 0.8 1.0 1.1 1.2 1.3 1.4)
#
# For each value it makes a copy of MODEL_DIR whose config.json differs only in length_penalty (the weights are
# symlinked), translates FLORES dev, and prints BLEU, chrF, the hypothesis/reference length ratio in characters, the
# number of outputs with a word 3-gram repeated 3 or more times, and the seconds taken. The weights are not changed:
# to ship a value, export with `export.py --lp-rate X` and convert again (the model card has the commands).
# Needs sacrebleu (Tools/train-default-model/requirements.txt) and a release build (swift build -c release).
set -euo pipefail
cd "$(dirname "$0")/../.."
MODEL=${1:-Weights/csanmt-zh2en-small}; shift || true
LPS=${*:-0.6 0.8 1.0 1.1 1.2 1.3 1.4}
DATA=${DATA:-../shared/data}
PY=${PYTHON:-python3}
[ -f "$MODEL/config.json" ] || { echo "no config.json in $MODEL" >&2; exit 2; }
SRC_LANG=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["source_language"])' "$MODEL/config.json")
TGT_LANG=$([ "$SRC_LANG" = zh ] && echo en || echo zh)
SRC=$DATA/test/flores200/flores200.dev.zho_Hans-eng_Latn.$SRC_LANG
REF=$DATA/test/flores200/flores200.dev.zho_Hans-eng_Latn.$TGT_LANG
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
[ -f "$SRC" ] || { echo "FLORES dev not found at $SRC (set DATA=...)" >&2; exit 2; }

for lp in $LPS; do
  d=$WORK/model-$lp; mkdir -p "$d"
  for f in "$MODEL"/*; do ln -s "$(realpath "$f")" "$d/"; done
  rm "$d/config.json"
  "$PY" - "$MODEL/config.json" "$d/config.json" "$lp" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c['decoding']['length_penalty'] = float(sys.argv[3])
json.dump(c, open(sys.argv[2], 'w'), indent=2)
PY
  start=$(date +%s.%N)
  .build/release/csanmt translate --model "$d" < "$SRC" > "$WORK/$lp.hyp"
  end=$(date +%s.%N)
  "$PY" - "$WORK/$lp.hyp" "$REF" "$lp" "$start" "$end" "$TGT_LANG" <<'PY'
import sys
from collections import Counter
import sacrebleu
hyp = open(sys.argv[1], encoding='utf-8').read().splitlines()
ref = open(sys.argv[2], encoding='utf-8').read().splitlines()
zh = sys.argv[6] == 'zh'
def repetitive(line):   # a 3-gram of words (characters for Chinese) repeated 3 or more times
    w = list(line.replace(' ', '')) if zh else line.split()
    return any(n >= 3 for n in Counter(tuple(w[i:i + 3]) for i in range(len(w) - 2)).values())
bleu = sacrebleu.metrics.BLEU(tokenize='zh') if zh else sacrebleu.metrics.BLEU()
print('lp %-4s BLEU %5.2f  chrF %5.2f  length ratio %.3f  repetitive %4d/%d  %5.0f s' % (
    sys.argv[3], bleu.corpus_score(hyp, [ref]).score, sacrebleu.corpus_chrf(hyp, [ref]).score,
    sum(map(len, hyp)) / sum(map(len, ref)), sum(map(repetitive, hyp)), len(hyp),
    float(sys.argv[5]) - float(sys.argv[4])), flush=True)
PY
done
