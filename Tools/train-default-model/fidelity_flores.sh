#!/usr/bin/env bash
# Fidelity and speed on FLORES devtest, same run, same machine: the Swift engine (f32 conversion of the exported
# checkpoint, --no-split = ModelScope's splitting) vs the ModelScope TF pipeline (translate_tf.py) on the same folder.
# Paths are this machine's (edit SRC/OUT and the model folders); prints identical-line count, diffs and both times.
set -e
cd /work/main
. /work/venv-oracle/bin/activate
export TMPDIR=/work/scratch/tmp MODELSCOPE_CACHE=/work/scratch/ms HOME=/work/scratch
SRC=/work/shared/data/test/flores200/flores200.devtest.zho_Hans-eng_Latn.zh
OUT=/work/scratch/final/fidelity; mkdir -p $OUT
s=$(date +%s.%N); .build/release/csanmt translate --no-split --model /work/scratch/final/f32 < $SRC > $OUT/swift.hyp; e=$(date +%s.%N)
echo "swift_s $(echo "$e - $s" | bc)" > $OUT/times
s=$(date +%s.%N); python Tools/train-default-model/translate_tf.py --model /work/scratch/final/ms/csanmt-zh2en-small < $SRC > $OUT/tf.hyp 2> $OUT/tf.err; e=$(date +%s.%N)
echo "tf_s $(echo "$e - $s" | bc)" >> $OUT/times
python - <<'PY'
a=open('/work/scratch/final/fidelity/swift.hyp').read().split('\n'); b=open('/work/scratch/final/fidelity/tf.hyp').read().split('\n')
n=min(len(a),len(b)); same=sum(1 for x,y in zip(a,b) if x==y)
print('lines', len(a), len(b), 'identical', same, 'of', 1012)
for i,(x,y) in enumerate(zip(a,b)):
    if x!=y: print(i, repr(x[:100]), '|', repr(y[:100]))
PY
cat $OUT/times
