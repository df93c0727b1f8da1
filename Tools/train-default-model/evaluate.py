#!/usr/bin/env python3
"""Score zh->en (or, with --direction en2zh, en->zh) translations with sacrebleu (BLEU, chrF) on FLORES-200
devtest, WMT20 zh-en (zh->en only) and the Tatoeba hold-out.

For en->zh the same parallel files are read the other way round (FLORES eng->zho, the reverse Tatoeba hold-out);
chrF is on characters (sacrebleu's default, which ignores spaces) and BLEU uses sacrebleu's `zh` tokenizer.

The translator is any shell command that reads source lines on stdin and writes
target lines on stdout, one per line (e.g. the Swift engine:
  --cmd 'csanmt translate --model Weights/csanmt-zh2en-small --beam 4'
if it reads stdin).  `{model}` in --cmd is replaced by --model.  Default: the
ModelScope TF pipeline (translate_tf.py) on the exported folder.

  python evaluate.py [--model DIR] [--cmd CMD] [--sets flores,wmt20,tatoeba]
                     [--limit N] [--out DIR]

Writes OUT/<set>.hyp, OUT/<set>.src/.ref (the first N lines) and OUT/scores.json,
and prints one line per set with BLEU, chrF, sentences and seconds.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SETS = {
    'flores': ('test/flores200/flores200.devtest.zho_Hans-eng_Latn.zh',
               'test/flores200/flores200.devtest.zho_Hans-eng_Latn.en'),
    'wmt20': ('test/wmt/newstest2020.zh-en.zh', 'test/wmt/newstest2020.zh-en.en'),
    'tatoeba': ('test/tatoeba_holdout/tatoeba_holdout1000.zh',
                'test/tatoeba_holdout/tatoeba_holdout1000.en'),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='/work/shared/data')
    ap.add_argument('--model', default='/work/scratch/train/export/csanmt-zh2en-small')
    ap.add_argument('--cmd', default=None,
                    help='translation command: zh lines on stdin -> en lines on stdout')
    ap.add_argument('--sets', default=None, help='default: flores,wmt20,tatoeba (zh2en), flores,tatoeba (en2zh)')
    ap.add_argument('--direction', choices=['zh2en', 'en2zh'], default='zh2en')
    ap.add_argument('--limit', type=int, default=0, help='first N sentences of each set')
    ap.add_argument('--out', default='/work/scratch/train/eval')
    a = ap.parse_args()

    import sacrebleu
    cmd = a.cmd or '%s %s --model {model}' % (shlex.quote(sys.executable),
                                              shlex.quote(os.path.join(HERE, 'translate_tf.py')))
    cmd = cmd.replace('{model}', shlex.quote(a.model))
    os.makedirs(a.out, exist_ok=True)
    scores = {'command': cmd, 'limit': a.limit, 'sets': {}}
    sets = a.sets or ('flores,wmt20,tatoeba' if a.direction == 'zh2en' else 'flores,tatoeba')
    scores['direction'] = a.direction
    for name in sets.split(','):
        src_p, ref_p = SETS[name]
        if a.direction == 'en2zh':
            if name == 'wmt20':
                sys.exit('wmt20 is a zh->en set (its English side is a translation); use flores,tatoeba for en2zh')
            src_p, ref_p = ref_p, src_p
        src = open(os.path.join(a.data, src_p), encoding='utf-8').read().splitlines()
        ref = open(os.path.join(a.data, ref_p), encoding='utf-8').read().splitlines()
        assert len(src) == len(ref)
        if a.limit:
            src, ref = src[:a.limit], ref[:a.limit]
        t0 = time.time()
        r = subprocess.run(cmd, shell=True, input='\n'.join(src) + '\n',
                           capture_output=True, text=True)
        dt = time.time() - t0
        if r.returncode != 0:
            sys.stderr.write(r.stderr[-3000:])
            sys.exit('translation command failed on %s' % name)
        hyp = r.stdout.split('\n')
        if hyp and hyp[-1] == '':
            hyp = hyp[:-1]
        assert len(hyp) == len(src), (name, len(hyp), len(src))
        for ext, lines in (('src', src), ('ref', ref), ('hyp', hyp)):
            with open(os.path.join(a.out, '%s.%s' % (name, ext)), 'w', encoding='utf-8') as f:
                f.write('\n'.join(lines) + '\n')
        bm = sacrebleu.metrics.BLEU(tokenize='zh') if a.direction == 'en2zh' else sacrebleu.metrics.BLEU()
        cm = sacrebleu.metrics.CHRF()
        bleu, chrf = bm.corpus_score(hyp, [ref]), cm.corpus_score(hyp, [ref])
        scores['sets'][name] = dict(sentences=len(src), bleu=round(bleu.score, 2),
                                    chrf=round(chrf.score, 2), seconds=round(dt, 1),
                                    bleu_signature=str(bm.get_signature()),
                                    chrf_signature=str(cm.get_signature()))
        print('%-8s n=%4d  BLEU %5.2f  chrF %5.2f  %.0fs' % (name, len(src), bleu.score,
                                                           chrf.score, dt), flush=True)
    scores['sacrebleu'] = sacrebleu.__version__
    with open(os.path.join(a.out, 'scores.json'), 'w') as f:
        json.dump(scores, f, indent=1)


if __name__ == '__main__':
    main()
