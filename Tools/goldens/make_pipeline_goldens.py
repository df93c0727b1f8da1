#!/usr/bin/env python3
"""Generate the end-to-end pipeline golden fixtures (Tests/Fixtures/pipeline/<direction>/) with ModelScope's code.

text in -> ModelScope preprocessing (jieba / Moses normalizer + tokenizer, subword-nmt BPE, vocab lookup) -> ids
-> ModelScope's TF CSANMT beam search (beam 4) -> postprocessing (vocab, '@@' joining, Moses detokenizer) -> text,
on tiny random-weight checkpoints wrapped into complete ModelScope model folders. Everything runs through the
in-repo oracle package ``Tools/goldens/oracle`` (each step a ``python -m oracle.<module>`` subprocess).

What it does, per direction (zh2en, en2zh):
  1. Checkpoint. ``python -m oracle.tiny WORK/tiny --eos-boost 0.3 --params JSON``: the tiny configuration of
     ``oracle.tiny.tiny_params`` with the direction's overrides (``DIRECTIONS`` below) and ``src_vocab_size`` =
     ``trg_vocab_size`` = ``oracle.tiny_folder.VOCAB_SIZE`` (100: the tiny model shares one embedding for source,
     target and softmax, so both vocabularies must have exactly that many lines). The oracle's default source
     batch, target and EOS feed are used (only the checkpoint is kept).
  2. Model folder. ``python -m oracle.tiny_folder SRC TGT WORK/model WORK/tiny`` learns BPE codes and vocabularies
     on its five training sentences per language and writes configuration.json. Copied into
     Tests/Fixtures/pipeline/<direction>/: configuration.json, src_vocab.txt, trg_vocab.txt, bpe.<src>, bpe.<tgt>,
     tf_ckpts/{ckpt-0.index, ckpt-0.data-00000-of-00001} and a tf_ckpts/checkpoint state file with the relative
     path "ckpt-0" (the train.* BPE corpora are not copied). Checks each vocabulary: VOCAB_SIZE lines, ``</s>``
     first, ``<unk>`` last (the pipeline maps OOV units to ``src_vocab_size - 1``), no duplicates.
  3. Goldens. For each input text runs ``python -m oracle.dump <fixture folder> TEXT OUT.npz --beam 4`` (the
     pipeline's preprocess/postprocess, no torch needed) on the copied fixture folder itself, and writes one JSON
     object per input to <direction>/expected.jsonl:
       text          the input string
       sentences     text.split('<SENT_SPLIT>')
       tokens        per sentence, the tokenizer output string (jieba words joined by ' ' / Moses return_str)
       bpe           per sentence, the BPE units (after .strip().split())
       input_ids     per sentence, the ids, unpadded (OOV -> V-1 = <unk>)
       output_ids    per sentence, the best beam (beam 0) cut at its first 0 (EOS), as the pipeline cuts it
       best_scores   per sentence, the best beam's length-normalised score (float32 value)
       translation   the final text exactly as the pipeline returns it (sentences joined with '<SENT_SPLIT>')
  4. Cross-check (optional, on by default when it can run). Runs ``python -m oracle.pipeline_check`` (the real
     ``modelscope.pipelines.pipeline(Tasks.translation, ...)``, with a fake torch) on every multi-sentence input and
     on the empty text, and checks that its padded input_ids, best-beam ids and ``__call__`` translation equal
     oracle.dump's. Needs the packages of Tools/goldens/requirements-pipeline-check.txt, in the venv or in a
     folder given with --pipeline-extra-path. Skipped with a note when ``modelscope.pipelines`` cannot be imported,
     unless --require-pipeline-check.
  5. Checks TF restores each fixture via tf.train.latest_checkpoint and writes Tests/Fixtures/pipeline/README.md.

Why lp_rate 1.5 / 3.0: with the oracle's random weights and --eos-boost 0.3 alone (lp_rate 0.6, the released
value) every best hypothesis is the empty one (EOS at step 0) and every translation is ''; lp_rate 1.0 and 1.2
are the same. The boost mostly makes EOS likely at step 0; later steps repeat one unit. A larger length-penalty
exponent lets the longer finished hypotheses win, giving a mix of empty, mid-length and full-length outputs.

Run it from the repository root with the oracle venv (set-up: Tools/goldens/README.md):

    python Tools/goldens/make_pipeline_goldens.py
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time

sys.dont_write_bytecode = True   # no __pycache__ next to the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import FIXTURES, SETUP_LINES, oracle_env, run, verify_restore, write_checkpoint_state  # noqa: E402
from oracle.tiny_folder import TRAINING_SENTENCES, VOCAB_SIZE  # noqa: E402

DEFAULT_OUT_DIR = os.path.join(FIXTURES, 'pipeline')

SENT_SPLIT = '<SENT_SPLIT>'
EOS_BOOST = '0.3'
BEAM = 4

# Parameter overrides per direction (on top of oracle.tiny.tiny_params; the vocab sizes are added in step 1). The oracle always draws its random values from RandomState(0) in variable order, so the same config
# would give both directions byte-identical weights. en2zh uses 8 heads (head size 8): the semantic encoder's
# relative-position tables rpr_k/rpr_v are [2*max_relative_dis+1, head size], so the shapes and every random draw
# from there on differ. Among the few variants tried (filter_size 96/160, 3 semantic layers, 8 heads), 8 heads gave
# the most varied en2zh outputs: real Chinese units (joined without spaces by the zh detokenizer), <dummyN>
# fillers, and both mixed in one output. lp_rate (see the module docstring): zh2en 1.5 gives best beams of 0, 7,
# 8, 13, 15, 18, 19 and 20 units; en2zh needs 3.0 to get more than "empty or 19" (0, 3, 5, 6, 19).
DIRECTIONS = {
    'zh2en': dict(src='zh', tgt='en', params=dict(lp_rate=1.5)),
    'en2zh': dict(src='en', tgt='zh', params=dict(lp_rate=3.0, num_heads=8)),
}

# Inputs per source language: the 5 training sentences of oracle.tiny_folder first, then these.
EXTRA_INPUTS = {
    'zh': [
        # out-of-vocabulary words (BPE falls back to single characters, most of them -> <unk>)
        '量子计算机将彻底改变密码学。',
        # mixed scripts
        'iPhone 15 发布会在 9 月举行。',
        'Alibaba 的 CEO 说：“你好！”',
        '我用 Python 和 Swift 写代码。',
        # punctuation-heavy
        '什么？！真的吗……（不是吧）——《北京》、「首都」；',
        # numbers, full-width forms
        '2024年3月15日，气温是-5.5℃，涨幅达到12.3%。',
        'ＡＢＣ１２３，全角字符。',
        # surrounding and inner whitespace
        '  北京是  中国的首都。 ',
        # empty text
        '',
        # several sentences (batched, padded)
        '北京是中国的首都。<SENT_SPLIT>今天天气很好，我们去公园散步吧。<SENT_SPLIT>阿里巴巴的使命是让天下没有难做的生意。',
        '机器翻译很重要。<SENT_SPLIT>iPhone 15 发布会在 9 月举行。',
        # an empty sentence inside a batch
        '你好。<SENT_SPLIT><SENT_SPLIT>北京是中国的首都。',
    ],
    'en': [
        # out-of-vocabulary words
        'Quantum computers will completely transform cryptography.',
        # mixed scripts
        'Alibaba 的 CEO said: "你好!"',
        'The iPhone 15 event is held in September.',
        # escaping: Moses turns & < > " \' [ ] | into entities; quotes and apostrophes
        'Tom & Jerry\'s "quoted" text: <b>bold</b> [square] {curly} | pipe.',
        "Don't you think it's the world's best? I'm sure they'll agree, O'Neil.",
        # hyphens (aggressive dash split) and dashes
        'A state-of-the-art, well-known e-mail system -- really - yes.',
        # numbers
        'It costs $1,234.56 (about 20%) on 3/15/2024 at 10:30, i.e. 1.5x more.',
        # Unicode punctuation handled by the punct normalizer
        '\u201cSmart quotes\u201d \u2014 and \u2018single\u2019 ones\u2026 5 \u00d7 3 = 15 \u00abguillemets\u00bb',
        # accents, upper case, non-breaking prefix
        'Mr. Smith met Dr. Müller at the Café in Zürich, U.S.A.',
        # empty text
        '',
        # several sentences (batched, padded)
        'Beijing is the capital of China.<SENT_SPLIT>The weather is nice today - let\'s walk.'
        '<SENT_SPLIT>Machine translation is an important research area of NLP.',
        'Hello world!<SENT_SPLIT>Tesla & Alibaba\'s "co-founder" said: 42.',
    ],
}


def read_lines(path):
    with open(path, encoding='utf-8') as f:
        return f.read().split('\n')[:-1]


# --------------------------------------------------------------------------------------------------------------
# Steps 1-2: checkpoint, model folder
# --------------------------------------------------------------------------------------------------------------

def build_checkpoint(d, V, args, env, work):
    """Step 1: ``python -m oracle.tiny WORK/tiny --eos-boost 0.3 --params JSON``; returns (run folder, params)."""
    params = dict(d['params'], src_vocab_size=V, trg_vocab_size=V)
    tiny = os.path.join(work, 'tiny')
    run([args.python, '-m', 'oracle.tiny', tiny, '--eos-boost', EOS_BOOST, '--params', json.dumps(params)], env,
        'oracle.tiny', log_path=os.path.join(work, 'oracle_tiny.log'))
    with open(os.path.join(tiny, 'params.json')) as f:
        used = json.load(f)
    for k, v in params.items():
        if used.get(k) != v:
            raise SystemExit('override %s=%r not used by the oracle (%r)' % (k, v, used.get(k)))
    return tiny, used


def build_model_folder(name, d, V, tiny, args, env, work):
    """Step 2: ``python -m oracle.tiny_folder``, then copy the model folder into the fixture tree."""
    model = os.path.join(work, 'model')
    run([args.python, '-m', 'oracle.tiny_folder', d['src'], d['tgt'], model, tiny], env, 'oracle.tiny_folder',
        log_path=os.path.join(work, 'tiny_folder.log'))
    dest = os.path.join(args.out_dir, name)
    if os.path.isdir(dest):
        shutil.rmtree(dest)
    os.makedirs(os.path.join(dest, 'tf_ckpts'))
    files = ['configuration.json', 'src_vocab.txt', 'trg_vocab.txt', 'bpe.' + d['src'], 'bpe.' + d['tgt'],
             'tf_ckpts/ckpt-0.index', 'tf_ckpts/ckpt-0.data-00000-of-00001']
    for rel in files:
        shutil.copyfile(os.path.join(model, rel), os.path.join(dest, rel))
    write_checkpoint_state(os.path.join(dest, 'tf_ckpts'))
    with open(os.path.join(dest, 'configuration.json'), encoding='utf-8') as f:
        cfg = json.load(f)
    for side in ('src', 'trg'):
        v = read_lines(os.path.join(dest, cfg['dataset']['%s_vocab' % side]['file']))
        if v[0] != '</s>' or v[-1] != '<unk>' or len(set(v)) != len(v):
            raise SystemExit('%s: %s vocab: expected </s> first, <unk> last, no duplicates' % (name, side))
        if len(v) != V or cfg['model']['%s_vocab_size' % side] != V:
            raise SystemExit('%s: %s vocab has %d lines, config says %s, V=%d' % (
                name, side, len(v), cfg['model']['%s_vocab_size' % side], V))
    return dest, cfg


# --------------------------------------------------------------------------------------------------------------
# Steps 3-4: goldens and the cross-check with the real pipeline
# --------------------------------------------------------------------------------------------------------------

def oracle_dump(dest, text, npz, args, env):
    import numpy as np
    out = run([args.python, '-m', 'oracle.dump', dest, text, npz, '--beam', str(BEAM)], env, 'oracle.dump')
    res = json.loads(out.strip().splitlines()[-1])
    z = np.load(npz)
    return res, z


def golden_record(text, res, z):
    import numpy as np
    sentences = text.split(SENT_SPLIT)
    n = len(sentences)
    seqs = z['output_seqs']
    scores = z['output_scores']
    if seqs.shape[0] != n or len(res['bpe']) != n or len(res['tokens']) != n:
        raise SystemExit('batch size mismatch for %r' % text)
    if scores.dtype != np.float32:
        raise SystemExit('unexpected score dtype %s' % scores.dtype)
    padded = z['input_ids']
    input_ids = []
    for i, pieces in enumerate(res['bpe']):
        row = padded[i].tolist()
        if any(row[len(pieces):]):
            raise SystemExit('non-zero padding for %r' % text)
        input_ids.append(row[:len(pieces)])
    output_ids = []
    for i in range(n):
        w = seqs[i, 0].tolist() + [0]
        output_ids.append(w[:w.index(0)])
    if res['output_seqs_beam0'] != seqs[:, 0].tolist():
        raise SystemExit('oracle_dump stdout and npz disagree for %r' % text)
    return {
        'text': text,
        'sentences': sentences,
        'tokens': res['tokens'],
        'bpe': res['bpe'],
        'input_ids': input_ids,
        'output_ids': output_ids,
        'best_scores': [float(s) for s in scores[:, 0].tolist()],
        'translation': res['translation'],
    }


def pipeline_cmd(args, *rest):
    cmd = [args.python, '-m', 'oracle.pipeline_check'] + list(rest)
    if args.pipeline_extra_path:
        cmd += ['--extra-path', args.pipeline_extra_path]
    return cmd


def pipeline_check(dest, rec, args, env):
    """Run the real modelscope pipeline (oracle.pipeline_check) and compare with the golden record."""
    import subprocess
    p = subprocess.run(pipeline_cmd(args, dest, rec['text']), env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        return {'ok': None, 'error': (p.stderr.strip().splitlines() or ['rc %d' % p.returncode])[-1]}
    got = {}
    for line in p.stdout.splitlines():
        for key in ('input_ids', 'output_seqs', '__call__'):
            if line.startswith(key + ' '):
                got[key] = line[len(key):].strip()
    ids = json.loads(got['input_ids'])
    seqs = json.loads(got['output_seqs'])
    translation = json.loads(got['__call__'])['translation']
    L = max(len(r) for r in rec['input_ids'])
    want_ids = [r + [0] * (L - len(r)) for r in rec['input_ids']]
    best = []
    for row in seqs:
        w = row[0] + [0]
        best.append(w[:w.index(0)])
    res = {'input_ids_equal': ids == want_ids, 'output_ids_equal': best == rec['output_ids'],
           'translation_equal': translation == rec['translation']}
    res['ok'] = all(res.values())
    return res


PIPELINE_IMPORT_CHECK = (
    'import sys; from oracle.pipeline_check import prepare_imports; prepare_imports(sys.argv[1] or None); '
    'import modelscope.pipelines.nlp.translation_pipeline, modelscope.fileio.format.jsonplus')


def pipeline_available(args, env):
    """None when modelscope.pipelines imports (with the fake torch and --pipeline-extra-path), else the error."""
    import subprocess
    p = subprocess.run([args.python, '-c', PIPELINE_IMPORT_CHECK, args.pipeline_extra_path or ''], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode == 0:
        return None
    return (p.stderr.strip().splitlines() or ['rc %d' % p.returncode])[-1]


# --------------------------------------------------------------------------------------------------------------

def run_direction(name, d, inputs, args, env):
    t0 = time.time()
    work = tempfile.mkdtemp(prefix='pipeline_golden_%s_' % name, dir=args.work_dir)
    V = VOCAB_SIZE
    tiny, used = build_checkpoint(d, V, args, env, work)
    print('[%s] checkpoint built (%.0f s)' % (name, time.time() - t0), flush=True)
    dest, cfg = build_model_folder(name, d, V, tiny, args, env, work)

    records = []
    for i, text in enumerate(inputs):
        res, z = oracle_dump(dest, text, os.path.join(work, 'dump%02d.npz' % i), args, env)
        rec = golden_record(text, res, z)
        records.append(rec)
        print('[%s] %2d %r -> %r  (lengths %s)' % (name, i, text[:40], rec['translation'][:60],
                                                    [len(o) for o in rec['output_ids']]), flush=True)
    with open(os.path.join(dest, 'expected.jsonl'), 'w', encoding='utf-8') as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False, allow_nan=False) + '\n')

    checks = []
    if args.pipeline_check_skip_reason is None:
        for rec in records:
            if len(rec['sentences']) > 1 or rec['text'] == '':
                c = pipeline_check(dest, rec, args, env)
                c['text'] = rec['text']
                checks.append(c)
                print('[%s] pipeline_check %r: %s' % (name, rec['text'][:40], c), flush=True)
                if c['ok'] is not True:
                    raise SystemExit('%s: modelscope.pipelines disagrees with oracle.dump (work kept: %s)'
                                     % (name, work))
    if args.keep_work:
        print('[%s] work folder kept: %s' % (name, work))
    else:
        shutil.rmtree(work)
    size = sum(os.path.getsize(os.path.join(r, fn)) for r, _, fns in os.walk(dest) for fn in fns)
    return {'name': name, 'V': V, 'config': used, 'records': records, 'checks': checks, 'bytes': size,
            'seconds': round(time.time() - t0, 1)}


README_HEAD = '''# Pipeline golden fixtures (text -> text)

Generated by `Tools/goldens/make_pipeline_goldens.py` with ModelScope's own code (`modelscope==1.40.2`,
`tensorflow-cpu==2.15.1`, jieba 0.42.1, sacremoses 0.2.0, subword-nmt 0.3.8; see `Tools/goldens/requirements.txt`)
driven by the in-repo oracle package `Tools/goldens/oracle/`. Do not edit by hand: regenerate.

Each `<direction>/` folder is a complete ModelScope CSANMT model folder around a tiny random-weight checkpoint,
plus `expected.jsonl`: input text -> ModelScope preprocessing (jieba for zh; Moses punct-normalizer + tokenizer
with `aggressive_dash_splits=True` for en) -> subword-nmt BPE -> vocab ids -> TF beam search (beam 4) ->
postprocessing (trg vocab, `@@ ` joining, Moses detokenizer) -> text.

## Regenerate

```bash
''' + SETUP_LINES + '''
# optional, only for the cross-check against the real modelscope.pipelines (a fake torch is supplied):
pip install --no-cache-dir -r Tools/goldens/requirements.txt -r Tools/goldens/requirements-pipeline-check.txt
python Tools/goldens/make_pipeline_goldens.py
#   --directions zh2en            only one direction
#   --no-pipeline-check           skip the modelscope.pipelines cross-check
#   --pipeline-extra-path DIR     where the requirements-pipeline-check.txt packages are, if not in the venv
#                                 (pip install --target DIR ...)
```

About 4 to 7 minutes on 2 busy cores (one TF graph build per input). Deterministic: same bytes on a rerun.

## How each folder is made

1. `python -m oracle.tiny` builds the random checkpoint with `--eos-boost 0.3` and the parameter overrides listed
   below, with `src_vocab_size` = `trg_vocab_size` = 100, the size of the vocabularies of step 2.
2. `python -m oracle.tiny_folder SRC TGT ...` wraps it: BPE codes learned on its 5 training sentences per
   language, vocabularies of exactly 100 lines (`</s>` = id 0, the BPE units of those sentences by frequency (at
   most 98), `<dummyN>` fillers, `<unk>` last = id 99 = `src_vocab_size - 1`, the id the pipeline gives OOV
   units), and `configuration.json` (`model` = the oracle parameters, `dataset` = vocab files, `preprocessor` =
   languages and BPE files).
3. `python -m oracle.dump <folder> TEXT out.npz --beam 4` (the pipeline's preprocess/postprocess, step for step)
   is run on each input, on the fixture folder itself.
4. The real `modelscope.pipelines` path (`python -m oracle.pipeline_check`) is run on every multi-sentence input
   and on `""`, and must give the same padded input ids, best-beam ids and translation (results below).

## Folder layout (per direction)

| file | content |
|---|---|
| `configuration.json` | ModelScope config: `model` (hyper-parameters incl. `beam_size` 4, `lp_rate`, `max_decoded_trg_len`), `dataset.{src,trg}_vocab.file`, `preprocessor.{src_lang,tgt_lang,src_bpe,tgt_bpe}` |
| `src_vocab.txt`, `trg_vocab.txt` | one unit per line, line number = id; `</s>` = 0, `<unk>` = last |
| `bpe.zh`, `bpe.en` | subword-nmt codes (`#version: 0.2` header); the pipeline only uses the source one |
| `tf_ckpts/checkpoint`, `tf_ckpts/ckpt-0.index`, `tf_ckpts/ckpt-0.data-00000-of-00001` | TF checkpoint, inference variables only, state file with the relative path `ckpt-0` |
| `expected.jsonl` | one JSON object per input (UTF-8, one line each) |

## `expected.jsonl`

| key | content |
|---|---|
| `text` | the input string given to the pipeline |
| `sentences` | `text.split("<SENT_SPLIT>")` (the pipeline's batch; no trimming, empty strings kept) |
| `tokens` | per sentence, the tokenizer output string: `" ".join(jieba.cut(s))` for zh (spaces in the input become tokens, so runs of spaces appear), `MosesTokenizer.tokenize(MosesPunctNormalizer.normalize(s), return_str=True, aggressive_dash_splits=True)` for en |
| `bpe` | per sentence, `bpe.process_line(tokens).strip().split()` |
| `input_ids` | per sentence, unpadded ids (`src_vocab[unit]`, else `src_vocab_size - 1`); the pipeline pads with 0 to the longest sentence and the model appends `</s>` itself |
| `output_ids` | per sentence, best beam (`output_seqs[i][0]`) cut at its first 0 (`+ [0]` then `[:index(0)]`, as the pipeline does); `[]` = EOS at step 0 |
| `best_scores` | per sentence, `output_scores[i][0]` (length-normalised log-prob, float32 value written as a double; compare with a tolerance) |
| `translation` | the pipeline's output string: per sentence `" ".join(trg_vocab[id])`, then `.replace("@@ ", "").replace("@@", "")`, then `MosesDetokenizer(lang=tgt).detokenize(t.split())`, joined with `<SENT_SPLIT>` |
'''


def write_readme(summaries, skip_reason, args):
    parts = [README_HEAD, '\n## Directions\n']
    for s in summaries:
        c = s['config']
        lengths = [len(o) for r in s['records'] for o in r['output_ids']]
        n_sent = len(lengths)
        parts.append(
            '\n### `%s`\n\n'
            '* model: V=%d (src = trg vocab, shared embedding), H=%d, F=%d, %d heads, %d encoder + %d decoder + %d '
            'semantic layers, pre-norm, `beam_size` %d, `lp_rate` %s, `max_decoded_trg_len` %d; oracle flags '
            '`--eos-boost %s`; parameter overrides `%s`\n'
            '* %d inputs, %d sentences; best-beam lengths: %d empty, %d between 1 and %d, %d at the maximum %d\n'
            '* size %d KB\n' % (
                s['name'], s['V'], c['hidden_size'], c['filter_size'], c['num_heads'], c['num_encoder_layers'],
                c['num_decoder_layers'], c['num_semantic_encoder_layers'], c['beam_size'], c['lp_rate'],
                c['max_decoded_trg_len'], EOS_BOOST, json.dumps(DIRECTIONS[s['name']]['params']),
                len(s['records']), n_sent, sum(1 for n in lengths if n == 0),
                sum(1 for n in lengths if 0 < n < c['max_decoded_trg_len']), c['max_decoded_trg_len'] - 1,
                sum(1 for n in lengths if n == c['max_decoded_trg_len']), c['max_decoded_trg_len'],
                round(s['bytes'] / 1024)))
        if s['checks']:
            parts.append('* `oracle.pipeline_check` (real `modelscope.pipelines`) cross-check, padded input ids / '
                         'best-beam ids / translation equal:\n')
            for ch in s['checks']:
                parts.append('  * `%s`: %s\n' % (json.dumps(ch['text'], ensure_ascii=False),
                                                 'all equal' if ch['ok'] else json.dumps(ch)))
        else:
            parts.append('* `oracle.pipeline_check` cross-check skipped: %s\n' % (skip_reason or 'not run'))
    parts.append(README_NOTES)
    with open(os.path.join(args.out_dir, 'README.md'), 'w', encoding='utf-8') as f:
        f.write(''.join(parts))


README_NOTES = '''
## Notes (what the fixtures exercise)

* Random weights: outputs are degenerate (one or two units repeated, e.g. `ffic@@ ffic@@ ...` -> `fficffic...`,
  `E@@ E@@ ...` -> `EEE...`, `研究 ... <dummy1> ...`, or `<dummyN>` filler units) but exact. With `--eos-boost 0.3`
  and the released `lp_rate` 0.6 (also 1.0, 1.2) every best beam was empty (EOS at step 0); `lp_rate` 1.5 (zh2en)
  and 3.0 (en2zh) favour longer finished hypotheses and give a mix of empty, mid-length, 19-unit (EOS at the last
  step) and 20-unit (never finished: the alive beam is returned) outputs. The engine must read `lp_rate` and
  `num_heads` from `configuration.json`.
* The zh detokenizer joins CJK units without spaces but keeps spaces around other units
  (`研究研究 <dummy1> <dummy1>`); the en one joins `@@` pieces (`E@@ E@@ E` -> `EEE`).
* Empty outputs: a sentence whose best beam is `[]` contributes `""`, so translations such as
  `"<SENT_SPLIT>weather weather"` are normal.
* OOV: any BPE unit not in `src_vocab.txt` becomes id `V-1` (the `<unk>` line). The BPE codes were learned on 5
  sentences, so unseen words split into single characters (`i@@ P@@ h@@ o@@ n@@ e`), nearly all OOV.
* Empty text `""` (also any text whose sentences all have no BPE units, e.g. only spaces): the pipeline feeds a
  `[1, 0]` id matrix and the model then appends NO `</s>` (`zeros_like(features)[:, :1]` is itself empty), so the
  encoder has zero positions: encoder-decoder attention over zero keys gives a zero context, and the semantic
  pooling divides a zero sum by a mask sum of 1 (the shifted mask is padded with a leading 1), giving
  `pooling_layer` linear(0) = its bias. The result is not empty in general (zh2en gives 20 units `e e e ...`).
  An empty sentence inside a batch is different: an all-padding row of length L+1 whose position 0 (an `</s>`) is
  unmasked, the same as a single `</s>` source; its result does not depend on L (checked by hand).
* Escaping (en source): the Moses tokenizer escapes `& | < > ' " [ ]` as `&amp; &#124; &lt; &gt; &apos; &quot;
  &#91; &#93;` before BPE, and BPE then splits the entities like any word (`&amp;` -> `&@@ a@@ m@@ p@@ ;`,
  `&apos;t` -> `&@@ a@@ po@@ s;@@ t`) except where the codes learned them (`&apos;s` is one unit). Curly quotes
  and guillemets become `&quot;`/`&apos;` through the punct normalizer, `—` becomes `-`, `…` becomes `...`.
  Aggressive dash splitting turns `co-founder` into `co @-@ founder`, and BPE splits `@-@` into `@@@ -@@ @`.
* jieba keeps spaces as tokens, so `tokens` can hold runs of spaces (`iPhone   15`) and leading/trailing spaces;
  `.strip().split()` after BPE removes them.
* Sentences are split only on the literal `<SENT_SPLIT>`; each part is tokenized independently and all are decoded
  as one 0-padded batch. The beam loop's early stop is batch-global (it runs while any row may still improve), but
  its bound guarantees that no later hypothesis beats a row's best finished one, so the best beam, and therefore
  `output_ids` and `translation`, of a sentence does not depend on the other sentences (seen here: the same
  sentence gives the same ids alone and in batches). The lower beams and the scores of a row can (extra steps can
  fill empty finished slots), and float values can differ in the last bits between batch shapes.
'''


def main():
    ap = argparse.ArgumentParser(
        description='Generate Tests/Fixtures/pipeline/<direction>/ end-to-end (text -> text) golden fixtures with '
                    'the in-repo oracle: tiny random CSANMT checkpoints (oracle.tiny) wrapped into ModelScope model '
                    'folders (oracle.tiny_folder), expected outputs from oracle.dump, cross-checked with the real '
                    'modelscope pipeline (oracle.pipeline_check). Run it with the oracle venv python '
                    '(Tools/goldens/README.md).',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument('--directions', nargs='+', choices=sorted(DIRECTIONS), default=list(DIRECTIONS))
    ap.add_argument('--out-dir', default=DEFAULT_OUT_DIR,
                    help='fixture root (Tests/Fixtures/pipeline of this clone); each direction goes to OUT_DIR/<dir>/')
    ap.add_argument('--python', default=sys.executable,
                    help='python with tensorflow-cpu, modelscope, jieba, sacremoses, subword-nmt')
    ap.add_argument('--work-dir', default=None, help='parent of the temporary work folders (None: $TMPDIR)')
    ap.add_argument('--keep-work', action='store_true', help='keep the work folders (npz dumps, logs)')
    ap.add_argument('--pipeline-extra-path', default=None,
                    help='folder holding the packages of requirements-pipeline-check.txt (datasets, pyarrow, '
                         'Pillow, simplejson) when they are not installed in the venv')
    ap.add_argument('--no-pipeline-check', action='store_true', help='skip the modelscope.pipelines cross-check')
    ap.add_argument('--require-pipeline-check', action='store_true',
                    help='fail instead of skipping when modelscope.pipelines cannot be imported')
    ap.add_argument('--no-readme', action='store_true', help='do not rewrite OUT_DIR/README.md')
    args = ap.parse_args()
    args.out_dir = os.path.abspath(args.out_dir)
    if args.pipeline_extra_path:
        args.pipeline_extra_path = os.path.abspath(args.pipeline_extra_path)
    os.makedirs(args.out_dir, exist_ok=True)
    env = oracle_env()

    if args.no_pipeline_check:
        args.pipeline_check_skip_reason = '--no-pipeline-check'
    else:
        err = pipeline_available(args, env)
        args.pipeline_check_skip_reason = None if err is None else 'modelscope.pipelines not importable (%s)' % err
        if err is not None:
            if args.require_pipeline_check:
                raise SystemExit(args.pipeline_check_skip_reason)
            print('NOTE: modelscope.pipelines cross-check skipped: %s' % err)

    t_all = time.time()
    summaries = []
    for name in args.directions:
        d = DIRECTIONS[name]
        inputs = list(TRAINING_SENTENCES[d['src']]) + EXTRA_INPUTS[d['src']]
        summaries.append(run_direction(name, d, inputs, args, env))
    restore = verify_restore([os.path.join(args.out_dir, s['name']) for s in summaries], args.python, env)
    for name, r in restore.items():
        print('[%s] TF restore: %s' % (name, r))
    if not args.no_readme:
        if set(args.directions) != set(DIRECTIONS):
            print('NOTE: README.md not rewritten (it describes every direction; run them all to refresh it)')
        else:
            write_readme(summaries, args.pipeline_check_skip_reason, args)
    print('total %.1f s' % (time.time() - t_all))


if __name__ == '__main__':
    main()
