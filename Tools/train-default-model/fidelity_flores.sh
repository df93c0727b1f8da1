#!/usr/bin/env bash
# Fidelity and speed on FLORES devtest, same run, same machine: the Swift engine on the shipped weights
# (Weights/csanmt-zh2en-small, --no-split = ModelScope's splitting) against the ModelScope TF pipeline
# (translate_tf.py) on the ModelScope folder rebuilt from those same weights. Prints the identical-line count, every
# difference, and both times. Edit SRC/OUT for your machine; the oracle venv must have TF and modelscope.
set -e
cd "$(dirname "$0")/../.."
. /work/venv-oracle/bin/activate
export TMPDIR=${TMPDIR:-/tmp} MODELSCOPE_CACHE=${MODELSCOPE_CACHE:-/tmp/ms}
SRC=../shared/data/test/flores200/flores200.devtest.zho_Hans-eng_Latn.zh
OUT=${OUT:-/tmp/csanmt-fidelity}; mkdir -p $OUT
python Tools/train-default-model/rebuild_modelscope_folder.py Weights/csanmt-zh2en-small $OUT/ms/csanmt-zh2en-small > $OUT/rebuild.log
s=$(date +%s.%N); .build/release/csanmt translate --no-split --model Weights/csanmt-zh2en-small < $SRC > $OUT/swift.hyp; e=$(date +%s.%N)
echo "swift_s $(echo "$e - $s" | bc)" > $OUT/times
s=$(date +%s.%N); python Tools/train-default-model/translate_tf.py --model $OUT/ms/csanmt-zh2en-small < $SRC > $OUT/tf.hyp 2> $OUT/tf.err; e=$(date +%s.%N)
echo "tf_s $(echo "$e - $s" | bc)" >> $OUT/times
python - "$OUT" <<'PY'
import sys
out = sys.argv[1]
a = open(out + '/swift.hyp').read().split('\n'); b = open(out + '/tf.hyp').read().split('\n')
same = sum(1 for x, y in zip(a, b) if x == y)
print('lines', len(a) - 1, len(b) - 1, 'identical', same - 1, 'of 1012')
for i, (x, y) in enumerate(zip(a, b)):
    if x != y: print(i, repr(x[:100]), '|', repr(y[:100]))
PY
cat $OUT/times
