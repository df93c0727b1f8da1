#!/usr/bin/env python3
"""Generate the engine golden fixtures (Tests/Fixtures/engine/<case>/) with ModelScope's own TF code.

Each case is a tiny random-weight CSANMT model run by ``oracle.tiny`` (``Tools/goldens/oracle/tiny.py``), which
builds ModelScope's ``CsanmtForTranslation`` with the case's shape parameters, randomises every variable, saves the
checkpoint with the released models' variable names and records the encoder output, the semantic vector, the
teacher-forced decoder output and log-probs, and beam 4 / beam 1 results.

What it does, per case (``CASES`` below):
  1. Runs ``python -m oracle.tiny WORK/out FLAGS --params JSON --src JSON --trg JSON`` in a subprocess: FLAGS are
     the case's oracle flags (``--preproc none``, ``--eos-boost A``), ``--params`` its overrides of
     ``oracle.tiny.tiny_params``, ``--src``/``--trg`` its source batch and teacher-forced target (one row per
     source row). For ``--eos-boost`` the oracle feeds ``oracle.tiny.EOS_FEED_ROW`` once per source row.
  2. Runs the independent numpy port (``oracle.numpy_port.compare_with_oracle``) on the run folder and records its
     max |diff| against the oracle; any sequence mismatch or diff above --ref-tol fails the run.
  3. Copies into Tests/Fixtures/engine/<case>/: configuration.json, variables.txt,
     tf_ckpts/{checkpoint, ckpt-0.index, ckpt-0.data-00000-of-00001} (the ``checkpoint`` state file is rewritten
     with the relative path "ckpt-0" instead of the absolute temporary path), and expected.json (plain JSON, floats
     written as the exact float32 values, no numpy needed to read it). The npz files stay in the work folder,
     which is deleted unless --keep-work is given.
  4. Checks with TensorFlow that each fixture checkpoint restores from its folder (tf.train.latest_checkpoint,
     tf.train.load_checkpoint) and writes Tests/Fixtures/engine/README.md.

expected.json keys: case, description, oracle_flags, config (the parameter dict the oracle built the model with),
src [B][S], trg [B][T], encoder_output {shape [B,S+1,H], data}, semantic_vector {shape [B,1,H], data},
teacher_forced_decoder_output {shape [B,T,H], data}, teacher_forced_logprobs {shape [B,T,V], data},
beam4 {output_seqs [B][4][T4], output_scores [B][4]}, beam1 {output_seqs [B][1][T1], output_scores [B][1]},
ref_numpy_check {...}.

Run it from the repository root with the oracle venv (set-up: Tools/goldens/README.md):

    python Tools/goldens/make_engine_goldens.py                          # all cases
    python Tools/goldens/make_engine_goldens.py --cases prenorm shape96  # some cases
"""
import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time

sys.dont_write_bytecode = True   # no __pycache__ next to the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (FIXTURES, SETUP_LINES, oracle_env, run, verify_restore as _verify_restore,  # noqa: E402
                    write_checkpoint_state)
from oracle.tiny import DEFAULT_SRC, DEFAULT_TRG, tiny_params  # noqa: E402

DEFAULT_OUT_DIR = os.path.join(FIXTURES, 'engine')

CASES = {
    'prenorm': dict(
        description='Default oracle config (H=64, F=128, 4 heads, 2 enc + 2 dec + 2 semantic layers, V=100, '
                    'max_decoded_trg_len 20), pre-norm (layer_preproc=layer_norm, layer_postproc=none).',
        flags=[]),
    'postnorm': dict(
        description='Default config, post-norm (--preproc none: layer_preproc=none, layer_postproc=layer_norm).',
        flags=['--preproc', 'none']),
    'eos03': dict(
        description='Pre-norm default config, --eos-boost 0.3 (embedding row 0 = </s> aligned with the mean '
                    'decoder output so EOS is frequent).',
        flags=['--eos-boost', '0.3']),
    'eos06': dict(
        description='Pre-norm default config, --eos-boost 0.6.',
        flags=['--eos-boost', '0.6']),
    'postnorm_eos03': dict(
        description='Post-norm default config, --eos-boost 0.3.',
        flags=['--preproc', 'none', '--eos-boost', '0.3']),
    'shape96': dict(
        description='Pre-norm, H=96, 6 heads (dh=16), F=160, 3 enc + 2 dec + 3 semantic layers, V=150, '
                    'max_decoded_trg_len 25; source ids up to 149 (= V-1).',
        flags=[],
        params=dict(hidden_size=96, num_heads=6, filter_size=160, num_encoder_layers=3, num_decoder_layers=2,
                    num_semantic_encoder_layers=3, src_vocab_size=150, trg_vocab_size=150,
                    max_decoded_trg_len=25),
        src=[[5, 17, 142, 8, 99, 123, 61, 149],
             [112, 3, 77, 130, 0, 0, 0, 0]],
        trg=[[7, 109, 11, 143, 15],
             [121, 22, 0, 0, 0]]),
    'batch3': dict(
        description='Pre-norm default config; batch of 3 sources of lengths 9, 4 and 6 (0-padded to 9) and a '
                    '3-row teacher-forced target.',
        flags=[],
        src=[[5, 17, 42, 8, 99, 23, 61, 31, 44],
             [12, 3, 77, 30, 0, 0, 0, 0, 0],
             [64, 2, 88, 19, 50, 7, 0, 0, 0]],
        trg=[[7, 9, 11, 13, 15],
             [21, 22, 0, 0, 0],
             [33, 4, 56, 81, 0]]),
}

FIXTURE_FILES = ['configuration.json', 'variables.txt',
                 'tf_ckpts/ckpt-0.index', 'tf_ckpts/ckpt-0.data-00000-of-00001']


# --------------------------------------------------------------------------------------------------------------
# Running one case
# --------------------------------------------------------------------------------------------------------------

def run_tiny_oracle(out, flags, params, src, trg, args, env, log_path):
    """``python -m oracle.tiny OUT FLAGS --params ... --src ... --trg ...`` in a fresh process (one TF graph
    state per case); returns the parameter dict the model was built with (OUT/params.json)."""
    cmd = [args.python, '-m', 'oracle.tiny', out] + list(flags) + [
        '--params', json.dumps(params), '--src', json.dumps(src), '--trg', json.dumps(trg)]
    run(cmd, env, 'oracle.tiny', log_path=log_path)
    with open(os.path.join(out, 'params.json')) as f:
        return json.load(f)


def f32_tensor(a):
    import numpy as np
    a = np.asarray(a)
    if a.dtype != np.float32:
        raise SystemExit('expected a float32 tensor, got %s' % a.dtype)
    data = a.ravel().tolist()   # Python floats holding the exact float32 values; json writes repr (round-trips)
    return {'shape': list(a.shape), 'data': data}


def beam_result(npz):
    import numpy as np
    seqs, scores = npz['output_seqs'], npz['output_scores']
    if scores.dtype != np.float32:
        raise SystemExit('unexpected output_scores dtype %s' % scores.dtype)
    return {'output_seqs': seqs.astype(np.int64).tolist(), 'output_scores': scores.tolist()}


def numpy_port_check(run_dir):
    """oracle.numpy_port against the oracle run. Differences are float32 values, stored as the shortest decimal
    that reads back as that float32 (what ``str(numpy.float32)`` prints); None when shapes differ."""
    from oracle.numpy_port import compare_with_oracle
    res = compare_with_oracle(run_dir)
    out = {}
    for key in ('encoder_max_abs_diff', 'semantic_max_abs_diff', 'beam4_seqs_identical', 'beam4_scores_max_abs_diff',
                'beam1_seqs_identical', 'beam1_scores_max_abs_diff'):
        v = res[key]
        out[key] = v if v is None or isinstance(v, bool) else float(str(v))
    return out, res['mismatch']


def compact_json(obj):
    """Top-level keys one per line, everything below written compactly (small diffs, no float-per-line bloat)."""
    parts = []
    for k, v in obj.items():
        if isinstance(v, dict) and k not in ('config', 'oracle_flags'):
            inner = ',\n'.join('    %s: %s' % (json.dumps(k2), json.dumps(v2, separators=(',', ':'), allow_nan=False))
                               for k2, v2 in v.items())
            parts.append('  %s: {\n%s\n  }' % (json.dumps(k), inner))
        else:
            parts.append('  %s: %s' % (json.dumps(k), json.dumps(v, separators=(', ', ': '), allow_nan=False)))
    return '{\n' + ',\n'.join(parts) + '\n}\n'


def finished_summary(beam):
    """Per batch row: (hypotheses that ended with EOS and have a real score, empty slots at float32.min level).

    TF returns the finished set for a row as soon as one hypothesis there hit EOS; slots it could not fill keep
    a score near float32.min. A row with no finished hypothesis returns the alive beam (no 0 in it)."""
    out = []
    for seqs, scores in zip(beam['output_seqs'], beam['output_scores']):
        real = [0 in h for h, sc in zip(seqs, scores) if sc > -1e30]
        out.append('%d+%d' % (sum(real), len(scores) - len(real)) if len(real) < len(scores) else str(sum(real)))
    return out


def run_case(name, case, args, env):
    import numpy as np
    src = case.get('src', DEFAULT_SRC)
    trg = case.get('trg', DEFAULT_TRG)
    overrides = case.get('params', {})
    preproc = case['flags'][case['flags'].index('--preproc') + 1] if '--preproc' in case['flags'] else 'layer_norm'
    params = tiny_params(preproc, **overrides)
    V = params['trg_vocab_size']
    if len(src) != len(trg):
        raise SystemExit('%s: src and trg must have the same number of rows' % name)
    if any(not (0 <= t < V) for row in src + trg for t in row):
        raise SystemExit('%s: ids must be in [0, %d)' % (name, V))

    work = tempfile.mkdtemp(prefix='golden_%s_' % name, dir=args.work_dir)
    out = os.path.join(work, 'out')
    t0 = time.time()
    params_used = run_tiny_oracle(out, case['flags'], overrides, src, trg, args, env,
                                  os.path.join(work, 'oracle.log'))
    if params_used != params:
        raise SystemExit('%s: the oracle built the model with %s, expected %s' % (name, params_used, params))
    t_oracle = time.time() - t0

    ref, mismatch = numpy_port_check(out)
    with open(os.path.join(work, 'numpy_port.json'), 'w') as f:
        json.dump({'check': ref, 'mismatch': mismatch}, f)
    ok = (ref['beam4_seqs_identical'] and ref['beam1_seqs_identical']
          and all(ref[k] is not None and ref[k] <= args.ref_tol for k in
                  ('encoder_max_abs_diff', 'semantic_max_abs_diff',
                   'beam4_scores_max_abs_diff', 'beam1_scores_max_abs_diff')))
    if not ok and not args.allow_ref_mismatch:
        sys.stderr.write(json.dumps({'check': ref, 'mismatch': mismatch})[-4000:] + '\n')
        raise SystemExit('%s: oracle.numpy_port disagrees with the oracle; work folder kept: %s' % (name, work))

    b4 = np.load(os.path.join(out, 'beam4_outputs.npz'))
    b1 = np.load(os.path.join(out, 'beam1_outputs.npz'))
    if b4['src'].tolist() != src or b4['trg'].tolist() != trg:
        raise SystemExit('%s: the oracle did not run the given src/trg' % name)
    if b4['teacher_forced_logprobs'].shape != (len(src), len(trg[0]), V):
        raise SystemExit('%s: unexpected teacher_forced_logprobs shape %s'
                         % (name, b4['teacher_forced_logprobs'].shape))

    expected = {
        'case': name,
        'description': case['description'],
        'oracle_flags': case['flags'],
        'config': params_used,
        'src': src,
        'trg': trg,
        'encoder_output': f32_tensor(b4['encoder_output']),
        'semantic_vector': f32_tensor(b4['semantic_vector']),
        'teacher_forced_decoder_output': f32_tensor(b4['decoder_output']),
        'teacher_forced_logprobs': f32_tensor(b4['teacher_forced_logprobs']),
        'beam4': beam_result(b4),
        'beam1': beam_result(b1),
        'ref_numpy_check': ref,
    }

    dest = os.path.join(args.out_dir, name)
    if os.path.isdir(dest):
        shutil.rmtree(dest)
    os.makedirs(os.path.join(dest, 'tf_ckpts'))
    for rel in FIXTURE_FILES:
        shutil.copyfile(os.path.join(out, rel), os.path.join(dest, rel))
    write_checkpoint_state(os.path.join(dest, 'tf_ckpts'))
    with open(os.path.join(dest, 'expected.json'), 'w') as f:
        f.write(compact_json(expected))

    if args.keep_work:
        print('  work folder kept: %s' % work)
    else:
        shutil.rmtree(work)

    size = sum(os.path.getsize(os.path.join(d, fn)) for d, _, fns in os.walk(dest) for fn in fns)
    summary = {
        'case': name, 'seconds': round(time.time() - t0, 1), 'oracle_seconds': round(t_oracle, 1),
        'bytes': size, 'ref': ref,
        'shapes': {k: expected[k]['shape'] for k in ('encoder_output', 'semantic_vector',
                                                       'teacher_forced_decoder_output',
                                                       'teacher_forced_logprobs')},
        'beam4_T': len(expected['beam4']['output_seqs'][0][0]),
        'beam1_T': len(expected['beam1']['output_seqs'][0][0]),
        'beam4_with_eos': finished_summary(expected['beam4']),
        'beam1_with_eos': finished_summary(expected['beam1']),
        'ckpt_sha256': hashlib.sha256(open(os.path.join(dest, FIXTURE_FILES[3]), 'rb').read()).hexdigest()[:16],
    }
    return summary


def verify_restore(dirs, args, env):
    return _verify_restore(dirs, args.python, env)


# --------------------------------------------------------------------------------------------------------------
# README
# --------------------------------------------------------------------------------------------------------------

README_HEAD = '''# Engine golden fixtures

Generated by `Tools/goldens/make_engine_goldens.py` with ModelScope's own TensorFlow CSANMT code
(`modelscope==1.40.2`, `tensorflow-cpu==2.15.1`, see `Tools/goldens/requirements.txt`), driven by the in-repo
oracle `Tools/goldens/oracle/tiny.py`. Each case is a tiny random-weight model whose every variable (layer norms
included) is randomised; the checkpoint has the exact variable names of the released models. Do not edit by hand:
regenerate.

## Regenerate

```bash
''' + SETUP_LINES + '''
python Tools/goldens/make_engine_goldens.py                        # all cases, 10 to 30 s each
#   --cases prenorm shape96     only some cases
#   --keep-work                 keep each case's oracle run folder (npz files, logs) under $TMPDIR
```

For each case the script runs `python -m oracle.tiny` with the case's shape parameters, source batch and
teacher-forced target, checks the result against the independent numpy port `Tools/goldens/oracle/numpy_port.py`
(fails on any sequence mismatch or a max |diff| above 1e-4), copies the checkpoint, and writes `expected.json`.
Generation is deterministic (same bytes on a rerun).

## Folder layout (per case)

| file | content |
|---|---|
| `configuration.json` | ModelScope-style config; `model` holds the hyper-parameters (what the converter reads) |
| `tf_ckpts/checkpoint`, `tf_ckpts/ckpt-0.index`, `tf_ckpts/ckpt-0.data-00000-of-00001` | TF tensor-bundle checkpoint, inference variables only (the state file uses the relative path `ckpt-0`) |
| `variables.txt` | variable names and shapes, in creation order |
| `expected.json` | oracle outputs, plain JSON |

## `expected.json`

Floats are the exact float32 values written as the shortest double repr (parse as Double, then convert to Float:
exact). Tensors are `{"shape": [...], "data": [row-major floats]}`.

| key | content |
|---|---|
| `case`, `description`, `oracle_flags` | what was run |
| `config` | the parameter dict the oracle built the model with (`oracle.tiny.tiny_params` plus the case's overrides; `beam_size` is 4; beam 1 is run with `beam_size` 1) |
| `src` | `[B][S]` source ids, 0-padded; the model appends one `</s>` (0) itself |
| `trg` | `[B][T]` teacher-forced target ids (fed as-is, 0s included; the decoder input is `trg` shifted right with a zero vector at step 0) |
| `encoder_output` | `[B, S+1, H]`: includes the appended `</s>` position; padded rows are LN(0) = the final LN offset (pre-norm) |
| `semantic_vector` | `[B, 1, H]` (r) |
| `teacher_forced_decoder_output` | `[B, T, H]` decoder output (after the final LN in pre-norm) before the tied softmax |
| `teacher_forced_logprobs` | `[B, T, V]` log-softmax at each teacher-forced position |
| `beam4`, `beam1` | `output_seqs` `[B][k][T_k]` ints exactly as TF returned them (EOS 0 included, then 0s), `output_scores` `[B][k]` length-normalised scores; rows with fewer than k finished hypotheses hold float32.min-level scores for the empty slots |
| `ref_numpy_check` | max differences of the numpy port (`oracle/numpy_port.py`) against this oracle run |

## Cases
'''


README_NOTES = '''
"T" is the number of decoding steps TF ran (the length of every `output_seqs` row). The EOS column counts, per
batch row, hypotheses that end with EOS (0) and have a real score; `+N` counts empty slots (score
float32.min = -3.4028234663852886e+38, sequence all 0s) that TF returns when fewer than k hypotheses finished.
A row with no finished hypothesis returns the alive beam, which contains no 0.

Notes on what the cases exercise (random weights, so the outputs are degenerate but exact):

* `prenorm`, `postnorm`, `shape96`, `batch3`: no hypothesis ever reaches EOS, every beam runs to
  `max_decoded_trg_len` and returns the alive beam (repetitive tokens such as 19 19 19 ...).
* `eos03`: beam 4 returns 4 finished hypotheses per row after all 20 steps (best = EOS at step 0, then hypotheses
  of 1 to 11 tokens + EOS); beam 1 stops after 5 steps on the bound check.
* `eos06`: EOS wins at step 0 in every row; the loop stops after 1 step; beam 4 rows hold 1 finished hypothesis
  and 3 empty float32.min slots.
* `postnorm_eos03`: beam 4 stops after 14 steps with 4 finished per row; beam 1 has a finished row 0 and an
  unfinished row 1 in the same batch (per-row choice between finished and alive sets).
* In every EOS case the best (beam 0) hypothesis is the empty one (`[0, 0, ...]`); no fixture has a best
  hypothesis of tokens followed by EOS.
* The same hypothesis can get scores differing by a few 1e-7 between `beam4` and `beam1` (TF computes on
  differently shaped batches); compare scores with a tolerance, sequences exactly.
'''


def write_readme(summaries, restore, args):
    path = os.path.join(args.out_dir, 'README.md')
    rows = []
    for s in summaries:
        c = CASES[s['case']]
        r = s['ref']
        rows.append('| `%s` | %s | `%s` | %s | %s | %d / %d | %s / %s | %.1e / %.1e / %.1e / %.1e | %d KB |' % (
            s['case'], c['description'], ' '.join(c['flags']) or '(none)',
            'x'.join(str(d) for d in s['shapes']['encoder_output']),
            'x'.join(str(d) for d in s['shapes']['teacher_forced_logprobs']),
            s['beam4_T'], s['beam1_T'], ', '.join(s['beam4_with_eos']), ', '.join(s['beam1_with_eos']),
            r['encoder_max_abs_diff'], r['semantic_max_abs_diff'],
            r['beam4_scores_max_abs_diff'], r['beam1_scores_max_abs_diff'], round(s['bytes'] / 1024)))
    table = ('| case | what | oracle flags | encoder_output | logprobs | beam4 / beam1 T | EOS-finished hyps per row, '
             '+N = empty slots (beam4 / beam1) | numpy port max diff (enc / sem / beam4 / beam1 scores) | size |\n'
             '|---|---|---|---|---|---|---|---|---|\n' + '\n'.join(rows) + '\n')
    params = '\n'.join('* `%s`: %s' % (s['case'], restore.get(s['case'], {}).get('n_params', '?'))
                       + ' parameters in %s variables' % restore.get(s['case'], {}).get('n_vars', '?')
                       for s in summaries)
    with open(path, 'w') as f:
        f.write(README_HEAD + '\n' + table + README_NOTES + '\nCheckpoint sizes (TF restore check):\n\n'
                + params + '\n')


def main():
    ap = argparse.ArgumentParser(
        description='Generate Tests/Fixtures/engine/<case>/ golden fixtures with ModelScope\'s TF CSANMT code, '
                    'driven by the in-repo oracle (python -m oracle.tiny), each case cross-checked with the numpy '
                    'port (oracle.numpy_port). Run it with the oracle venv python (Tools/goldens/README.md).',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument('--cases', nargs='+', choices=sorted(CASES), default=list(CASES),
                    help='cases to (re)generate')
    ap.add_argument('--out-dir', default=DEFAULT_OUT_DIR,
                    help='fixture root (Tests/Fixtures/engine of this clone); each case goes to OUT_DIR/<case>/')
    ap.add_argument('--python', default=sys.executable,
                    help='python with tensorflow-cpu and modelscope installed (used for the subprocesses)')
    ap.add_argument('--work-dir', default=None, help='parent of the temporary work folders (None: $TMPDIR)')
    ap.add_argument('--keep-work', action='store_true', help='keep the work folders (npz files, logs)')
    ap.add_argument('--ref-tol', type=float, default=1e-4,
                    help='max allowed |diff| between oracle.numpy_port and the oracle')
    ap.add_argument('--allow-ref-mismatch', action='store_true',
                    help='write the fixtures even if oracle.numpy_port disagrees with the oracle')
    ap.add_argument('--no-readme', action='store_true', help='do not rewrite OUT_DIR/README.md')
    args = ap.parse_args()
    args.out_dir = os.path.abspath(args.out_dir)
    os.makedirs(args.out_dir, exist_ok=True)
    env = oracle_env()

    t_all = time.time()
    summaries = []
    for name in args.cases:
        print('[%s] running oracle ...' % name, flush=True)
        s = run_case(name, CASES[name], args, env)
        summaries.append(s)
        print('[%s] %.1f s, %d bytes, shapes %s, beam4 T=%d beam1 T=%d, hyps with EOS beam4 %s beam1 %s\n'
              '      numpy port: %s' % (name, s['seconds'], s['bytes'], s['shapes'], s['beam4_T'], s['beam1_T'],
                                        s['beam4_with_eos'], s['beam1_with_eos'], s['ref']), flush=True)
    restore = verify_restore([os.path.join(args.out_dir, s['case']) for s in summaries], args, env)
    for name, r in restore.items():
        print('[%s] TF restore: %s' % (name, r))
    if not args.no_readme:
        # The README lists every case present; re-read summaries of cases not rerun from their expected.json.
        all_summaries = []
        done = {s['case']: s for s in summaries}
        for name in CASES:
            if name in done:
                all_summaries.append(done[name])
            elif os.path.isfile(os.path.join(args.out_dir, name, 'expected.json')):
                all_summaries.append(summary_from_fixture(name, args))
        missing = [s['case'] for s in all_summaries if s['case'] not in restore]
        if missing:
            restore.update(verify_restore([os.path.join(args.out_dir, n) for n in missing], args, env))
        write_readme(all_summaries, restore, args)
    print('total %.1f s' % (time.time() - t_all))


def summary_from_fixture(name, args):
    dest = os.path.join(args.out_dir, name)
    with open(os.path.join(dest, 'expected.json')) as f:
        e = json.load(f)
    return {
        'case': name, 'ref': e['ref_numpy_check'],
        'bytes': sum(os.path.getsize(os.path.join(d, fn)) for d, _, fns in os.walk(dest) for fn in fns),
        'shapes': {k: e[k]['shape'] for k in ('encoder_output', 'semantic_vector',
                                               'teacher_forced_decoder_output', 'teacher_forced_logprobs')},
        'beam4_T': len(e['beam4']['output_seqs'][0][0]), 'beam1_T': len(e['beam1']['output_seqs'][0][0]),
        'beam4_with_eos': finished_summary(e['beam4']),
        'beam1_with_eos': finished_summary(e['beam1']),
    }


if __name__ == '__main__':
    main()
