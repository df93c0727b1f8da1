#!/usr/bin/env python3
"""Generate the engine golden fixtures (Tests/Fixtures/engine/<case>/) with ModelScope's own TF code.

What it does, per case:
  1. Reads the source text of the shared oracle ``oracle_tiny.py`` (never edited by hand) and injects, with the
     ``ast`` module, overrides right after the oracle defines them:
       * after the top-level ``SRC = ...``: ``V``, ``PARAMS.update(...)`` and ``SRC`` for this case;
       * after every ``TRG = ...``: the case's teacher-forced target (one row per source row);
       * in the ``if EOS_BOOST:`` block, the teacher-forced feed used to align embedding row 0 is replaced by
         ``[[7, 9, 11, 13, 15, 17]] * B`` (the oracle hardcodes 2 rows; for B == 2 this is the same value).
     The patched text is written to a temporary work folder and run in a subprocess as
     ``python patched.py WORK [--preproc none] [--eos-boost A]``.
  2. Runs the unmodified ``ref_numpy.py WORK`` (independent numpy port of the spec) and records its max |diff|
     against the oracle npz; any sequence mismatch or diff above --ref-tol fails the run.
  3. Copies into Tests/Fixtures/engine/<case>/: configuration.json, variables.txt,
     tf_ckpts/{checkpoint, ckpt-0.index, ckpt-0.data-00000-of-00001} (the ``checkpoint`` state file is rewritten
     with the relative path "ckpt-0" instead of the absolute temporary path), and expected.json (plain JSON, floats
     written as the exact float32 values, no numpy needed to read it). The npz files stay in the work folder,
     which is deleted unless --keep-work is given.
  4. Checks with TensorFlow that each fixture checkpoint restores from its folder (tf.train.latest_checkpoint,
     tf.train.load_checkpoint) and writes Tests/Fixtures/engine/README.md.

expected.json keys: case, description, oracle_flags, config (the PARAMS dict the oracle built the model with),
src [B][S], trg [B][T], encoder_output {shape [B,S+1,H], data}, semantic_vector {shape [B,1,H], data},
teacher_forced_decoder_output {shape [B,T,H], data}, teacher_forced_logprobs {shape [B,T,V], data},
beam4 {output_seqs [B][4][T4], output_scores [B][4]}, beam1 {output_seqs [B][1][T1], output_scores [B][1]},
ref_numpy_check {...}.

Run it with the oracle venv's python (see Tests/Fixtures/engine/README.md for the venv set-up):

    export TMPDIR=/work/scratch/tmp MODELSCOPE_CACHE=/work/scratch/ms HOME=/work/scratch
    /work/venv-oracle/bin/python Tools/goldens/make_engine_goldens.py            # all cases
    /work/venv-oracle/bin/python Tools/goldens/make_engine_goldens.py --cases prenorm shape96
"""
import argparse
import ast
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
DEFAULT_REFERENCE_DIR = os.path.normpath(os.path.join(REPO_ROOT, '..', 'shared', 'reference'))
DEFAULT_OUT_DIR = os.path.join(REPO_ROOT, 'Tests', 'Fixtures', 'engine')

# The oracle's own defaults, restated so every fixture is fully determined by this file.
DEFAULT_SRC = [[5, 17, 42, 8, 99, 23, 61],
               [12, 3, 77, 30, 0, 0, 0]]
DEFAULT_TRG = [[7, 9, 11, 13],
               [21, 22, 0, 0]]
# Row the oracle feeds (teacher-forced) to find the mean decoder direction for --eos-boost; repeated B times.
EOS_FEED_ROW = [7, 9, 11, 13, 15, 17]

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
        V=150,
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
# Patching the oracle's source text
# --------------------------------------------------------------------------------------------------------------

def _assign_target(node, name):
    return (isinstance(node, ast.Assign) and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name) and node.targets[0].id == name)


def patch_oracle(source, overrides):
    """Return the oracle's source text with the case's overrides injected (see the module docstring)."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    inserts = []    # (after_line (1-based), text)
    replaces = []   # (lineno, col, end_lineno, end_col, text)
    blob = repr(json.dumps(overrides))

    src_assigns = [n for n in tree.body if _assign_target(n, 'SRC')]
    params_assigns = [n for n in tree.body if _assign_target(n, 'PARAMS')]
    if len(src_assigns) != 1 or len(params_assigns) != 1 or params_assigns[0].lineno > src_assigns[0].lineno:
        raise SystemExit('oracle_tiny.py changed: expected one top-level PARAMS = ... followed by one SRC = ...')
    inserts.append((src_assigns[0].end_lineno,
                    '# ---- injected by make_engine_goldens.py ----\n'
                    '__GOLDEN__ = json.loads(%s)\n'
                    'V = __GOLDEN__["V"]\n'
                    'PARAMS.update(__GOLDEN__["params"])\n'
                    'SRC = np.array(__GOLDEN__["src"], dtype=np.int64)\n'
                    'with open(os.path.join(out_dir, "params_used.json"), "w") as _f:\n'
                    '    json.dump(PARAMS, _f)\n'
                    '# ---- end of injection ----\n' % blob))

    trg_assigns = [n for n in ast.walk(tree) if _assign_target(n, 'TRG')]
    if len(trg_assigns) != 1:
        raise SystemExit('oracle_tiny.py changed: expected exactly one TRG = ... assignment')
    for n in trg_assigns:
        inserts.append((n.end_lineno, ' ' * n.col_offset
                        + 'TRG = np.array(__GOLDEN__["trg"], dtype=np.int64)  # injected\n'))

    eos_ifs = [n for n in ast.walk(tree) if isinstance(n, ast.If)
               and isinstance(n.test, ast.Name) and n.test.id == 'EOS_BOOST']
    feeds = []
    for n in eos_ifs:
        for d in ast.walk(n):
            if isinstance(d, ast.Dict):
                feeds += [v for k, v in zip(d.keys, d.values) if isinstance(k, ast.Name) and k.id == 'trg']
    if len(feeds) != 1:
        raise SystemExit('oracle_tiny.py changed: expected one {..., trg: ...} feed inside "if EOS_BOOST:"')
    f = feeds[0]
    if f.lineno != f.end_lineno:
        raise SystemExit('oracle_tiny.py changed: the EOS-boost trg feed spans several lines')
    replaces.append((f.lineno, f.col_offset, f.end_lineno, f.end_col_offset,
                     'np.array(__GOLDEN__["eos_feed_trg"], dtype=np.int64)'))

    # Apply: replacements first (they do not change line counts), then insertions bottom-up.
    for lineno, col, end_lineno, end_col, text in replaces:
        line = lines[lineno - 1].encode('utf-8')
        lines[lineno - 1] = (line[:col] + text.encode('utf-8') + line[end_col:]).decode('utf-8')
    for after, text in sorted(inserts, key=lambda t: -t[0]):
        lines.insert(after, text)
    patched = ''.join(lines)
    ast.parse(patched)
    return patched


# --------------------------------------------------------------------------------------------------------------
# Running one case
# --------------------------------------------------------------------------------------------------------------

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


def parse_ref_output(text):
    res = {}
    m = re.search(r'encoder max\|diff\| (\S+)', text)
    res['encoder_max_abs_diff'] = float(m.group(1)) if m else None
    m = re.search(r'semantic max\|diff\| (\S+)', text)
    res['semantic_max_abs_diff'] = float(m.group(1)) if m else None
    for beam in (4, 1):
        m = re.search(r'beam %d seqs identical: (\S+) scores max\|diff\| (\S+)' % beam, text)
        res['beam%d_seqs_identical' % beam] = (m.group(1) == 'True') if m else None
        try:
            res['beam%d_scores_max_abs_diff' % beam] = float(m.group(2)) if m else None
        except ValueError:
            res['beam%d_scores_max_abs_diff' % beam] = None
    return res


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
    V = case.get('V', 100)
    if len(src) != len(trg):
        raise SystemExit('%s: src and trg must have the same number of rows' % name)
    if any(not (0 <= t < V) for row in src + trg for t in row):
        raise SystemExit('%s: ids must be in [0, %d)' % (name, V))
    overrides = {'V': V, 'params': case.get('params', {}), 'src': src, 'trg': trg,
                 'eos_feed_trg': [EOS_FEED_ROW] * len(src)}

    with open(os.path.join(args.reference_dir, 'oracle_tiny.py')) as f:
        oracle_source = f.read()
    patched = patch_oracle(oracle_source, overrides)

    work = tempfile.mkdtemp(prefix='golden_%s_' % name, dir=args.work_dir)
    out = os.path.join(work, 'out')
    os.makedirs(out)
    script = os.path.join(work, 'oracle_tiny_patched.py')
    with open(script, 'w') as f:
        f.write(patched)

    t0 = time.time()
    cmd = [args.python, script, out] + case['flags']
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with open(os.path.join(work, 'oracle.log'), 'w') as f:
        f.write(p.stdout)
    if p.returncode != 0:
        sys.stderr.write(p.stdout[-4000:])
        raise SystemExit('%s: oracle failed (rc %d); work folder kept: %s' % (name, p.returncode, work))
    t_oracle = time.time() - t0

    r = subprocess.run([args.python, os.path.join(args.reference_dir, 'ref_numpy.py'), out], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with open(os.path.join(work, 'ref_numpy.log'), 'w') as f:
        f.write(r.stdout)
    ref = parse_ref_output(r.stdout)
    ok = (r.returncode == 0 and ref['beam4_seqs_identical'] and ref['beam1_seqs_identical']
          and all(ref[k] is not None and ref[k] <= args.ref_tol for k in
                  ('encoder_max_abs_diff', 'semantic_max_abs_diff',
                   'beam4_scores_max_abs_diff', 'beam1_scores_max_abs_diff')))
    if not ok and not args.allow_ref_mismatch:
        sys.stderr.write(r.stdout[-4000:])
        raise SystemExit('%s: ref_numpy.py disagrees with the oracle; work folder kept: %s' % (name, work))

    b4 = np.load(os.path.join(out, 'beam4_outputs.npz'))
    b1 = np.load(os.path.join(out, 'beam1_outputs.npz'))
    with open(os.path.join(out, 'params_used.json')) as f:
        params_used = json.load(f)
    # The injection must have taken effect.
    if b4['src'].tolist() != src or b4['trg'].tolist() != trg:
        raise SystemExit('%s: injected SRC/TRG not used by the oracle' % name)
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
    # Saver writes absolute paths of the temporary folder; TF resolves relative ones against the folder.
    with open(os.path.join(dest, 'tf_ckpts', 'checkpoint'), 'w') as f:
        f.write('model_checkpoint_path: "ckpt-0"\nall_model_checkpoint_paths: "ckpt-0"\n')
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


VERIFY_SNIPPET = r'''
import json, os, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np, tensorflow as tf
res = {}
for d in sys.argv[1:]:
    p = tf.train.latest_checkpoint(os.path.join(d, "tf_ckpts"))
    r = tf.train.load_checkpoint(p)
    shapes = r.get_variable_to_shape_map()
    n = int(sum(np.prod(s) for s in shapes.values()))
    res[os.path.basename(d)] = {"latest": os.path.relpath(p, d), "n_vars": len(shapes), "n_params": n}
print(json.dumps(res))
'''


def verify_restore(dirs, args, env):
    p = subprocess.run([args.python, '-c', VERIFY_SNIPPET] + dirs, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.stderr.write(p.stderr[-4000:])
        raise SystemExit('TensorFlow could not restore the fixture checkpoints')
    return json.loads(p.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------------------------------
# README
# --------------------------------------------------------------------------------------------------------------

README_HEAD = '''# Engine golden fixtures

Generated by `Tools/goldens/make_engine_goldens.py` with ModelScope's own TensorFlow CSANMT code
(`modelscope==1.40.2`, `tensorflow-cpu==2.15.1`, see `Tools/goldens/requirements.txt`), driven through the shared
oracle `../shared/reference/oracle_tiny.py`. Each case is a tiny random-weight model whose every variable (layer
norms included) is randomised; the checkpoint has the exact variable names of the released models. Do not edit
by hand: regenerate.

## Regenerate

```bash
mkdir -p /work/scratch/tmp /work/scratch/ms
export TMPDIR=/work/scratch/tmp MODELSCOPE_CACHE=/work/scratch/ms HOME=/work/scratch
python3 -m venv /work/venv-oracle && . /work/venv-oracle/bin/activate
pip install --no-cache-dir -r Tools/goldens/requirements.txt      # ~30 s, ~1.7 GB
python Tools/goldens/make_engine_goldens.py                        # from the repo root; all cases
#   --cases prenorm shape96     only some cases
#   --reference-dir DIR         where oracle_tiny.py / ref_numpy.py live (default ../shared/reference)
```

The script patches the oracle's text in memory (the shared file is not edited) to set the case's shape
parameters, source batch and teacher-forced target, runs it in a subprocess, checks the result against the
independent numpy port `ref_numpy.py` (fails on any sequence mismatch or a max |diff| above 1e-4), copies the
checkpoint, and writes `expected.json`. Generation is deterministic (same bytes on a rerun).

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
| `config` | the `PARAMS` dict the oracle built the model with (`beam_size` is 4; beam 1 is run with `beam_size` 1) |
| `src` | `[B][S]` source ids, 0-padded; the model appends one `</s>` (0) itself |
| `trg` | `[B][T]` teacher-forced target ids (fed as-is, 0s included; the decoder input is `trg` shifted right with a zero vector at step 0) |
| `encoder_output` | `[B, S+1, H]`: includes the appended `</s>` position; padded rows are LN(0) = the final LN offset (pre-norm) |
| `semantic_vector` | `[B, 1, H]` (r) |
| `teacher_forced_decoder_output` | `[B, T, H]` decoder output (after the final LN in pre-norm) before the tied softmax |
| `teacher_forced_logprobs` | `[B, T, V]` log-softmax at each teacher-forced position |
| `beam4`, `beam1` | `output_seqs` `[B][k][T_k]` ints exactly as TF returned them (EOS 0 included, then 0s), `output_scores` `[B][k]` length-normalised scores; rows with fewer than k finished hypotheses hold float32.min-level scores for the empty slots |
| `ref_numpy_check` | max differences of `ref_numpy.py` against this oracle run |

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
             '+N = empty slots (beam4 / beam1) | ref_numpy max diff (enc / sem / beam4 / beam1 scores) | size |\n'
             '|---|---|---|---|---|---|---|---|---|\n' + '\n'.join(rows) + '\n')
    params = '\n'.join('* `%s`: %s' % (s['case'], restore.get(s['case'], {}).get('n_params', '?'))
                       + ' parameters in %s variables' % restore.get(s['case'], {}).get('n_vars', '?')
                       for s in summaries)
    with open(path, 'w') as f:
        f.write(README_HEAD + '\n' + table + README_NOTES + '\nCheckpoint sizes (TF restore check):\n\n'
                + params + '\n')


def main():
    ap = argparse.ArgumentParser(
        description='Generate Tests/Fixtures/engine/<case>/ golden fixtures with ModelScope\'s TF CSANMT code '
                    '(drives ../shared/reference/oracle_tiny.py). Run with the oracle venv python.',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument('--cases', nargs='+', choices=sorted(CASES), default=list(CASES),
                    help='cases to (re)generate')
    ap.add_argument('--reference-dir', default=DEFAULT_REFERENCE_DIR,
                    help='folder holding oracle_tiny.py, ref_numpy.py, ckpt_reader.py')
    ap.add_argument('--out-dir', default=DEFAULT_OUT_DIR, help='fixture root; each case goes to OUT_DIR/<case>/')
    ap.add_argument('--python', default=sys.executable,
                    help='python with tensorflow-cpu and modelscope installed (used for the subprocesses)')
    ap.add_argument('--work-dir', default=None, help='parent of the temporary work folders (None: $TMPDIR)')
    ap.add_argument('--keep-work', action='store_true', help='keep the work folders (npz files, logs)')
    ap.add_argument('--ref-tol', type=float, default=1e-4,
                    help='max allowed |diff| between ref_numpy.py and the oracle')
    ap.add_argument('--allow-ref-mismatch', action='store_true',
                    help='write the fixtures even if ref_numpy.py disagrees with the oracle')
    ap.add_argument('--no-readme', action='store_true', help='do not rewrite OUT_DIR/README.md')
    args = ap.parse_args()
    args.reference_dir = os.path.abspath(args.reference_dir)
    args.out_dir = os.path.abspath(args.out_dir)
    for fn in ('oracle_tiny.py', 'ref_numpy.py', 'ckpt_reader.py'):
        if not os.path.isfile(os.path.join(args.reference_dir, fn)):
            raise SystemExit('missing %s in --reference-dir %s' % (fn, args.reference_dir))
    os.makedirs(args.out_dir, exist_ok=True)

    env = dict(os.environ)
    env.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
    env['PYTHONHASHSEED'] = '0'
    env['PYTHONDONTWRITEBYTECODE'] = '1'   # keep __pycache__ out of the read-only reference folder

    t_all = time.time()
    summaries = []
    for name in args.cases:
        print('[%s] running oracle ...' % name, flush=True)
        s = run_case(name, CASES[name], args, env)
        summaries.append(s)
        print('[%s] %.1f s, %d bytes, shapes %s, beam4 T=%d beam1 T=%d, hyps with EOS beam4 %s beam1 %s\n'
              '      ref_numpy: %s' % (name, s['seconds'], s['bytes'], s['shapes'], s['beam4_T'], s['beam1_T'],
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
