"""Helpers shared by the model golden generators (make_engine_goldens.py, make_pipeline_goldens.py,
make_default_model_goldens.py): repo paths, the environment of the oracle subprocesses, the checkpoint state file,
the TensorFlow restore check, and the set-up text their README files show."""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))            # Tools/goldens (holds the oracle package)
REPO_ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
FIXTURES = os.path.join(REPO_ROOT, 'Tests', 'Fixtures')

# Shell lines (for a ```bash block) that give a fresh clone the oracle venv, run from the repository root. The
# caches of jieba (TMPDIR) and ModelScope (MODELSCOPE_CACHE) go to a git-ignored folder of the clone.
SETUP_LINES = '''# from the root of a clone; Python 3.9 to 3.11 (TensorFlow 2.15 has no wheels for newer versions)
python3.11 -m venv .venv-goldens && . .venv-goldens/bin/activate    # once (.venv-goldens/ is git-ignored)
pip install --no-cache-dir -r Tools/goldens/requirements.txt      # once, about 1.7 GB
mkdir -p .goldens-cache                                            # jieba and ModelScope caches (git-ignored)
export TMPDIR=$PWD/.goldens-cache MODELSCOPE_CACHE=$PWD/.goldens-cache/modelscope'''


def relpath(path):
    """``path`` relative to the repository root (for messages and README files)."""
    return os.path.relpath(os.path.abspath(path), REPO_ROOT)


def oracle_env(extra_pythonpath=()):
    """Environment for ``python -m oracle.<module>`` subprocesses: the oracle package importable, fixed hash seed,
    no ``__pycache__`` in the repository, TensorFlow's C++ logging off, no inherited PYTHONPATH (so that nothing,
    e.g. a fake torch, shadows a real package)."""
    env = dict(os.environ)
    env.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
    env['PYTHONHASHSEED'] = '0'
    env['PYTHONDONTWRITEBYTECODE'] = '1'
    env['PYTHONPATH'] = os.pathsep.join([HERE] + list(extra_pythonpath))
    return env


def run(cmd, env, what, log_path=None):
    """Run a subprocess, keep its output in ``log_path``, fail with its last output; return its stdout."""
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if log_path:
        with open(log_path, 'w') as f:
            f.write(p.stdout + '\n--- stderr ---\n' + p.stderr)
    if p.returncode != 0:
        sys.stderr.write(p.stdout[-3000:] + '\n' + p.stderr[-3000:])
        raise SystemExit('%s failed (rc %d): %s' % (what, p.returncode, ' '.join(cmd)))
    return p.stdout


def write_checkpoint_state(ckpt_dir):
    """TF's ``checkpoint`` state file with the relative path ``ckpt-0`` (Saver writes absolute temporary paths;
    TF resolves relative ones against the folder)."""
    with open(os.path.join(ckpt_dir, 'checkpoint'), 'w') as f:
        f.write('model_checkpoint_path: "ckpt-0"\nall_model_checkpoint_paths: "ckpt-0"\n')


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


def verify_restore(dirs, python, env):
    """Check in a fresh TF process that each fixture folder's checkpoint restores through its state file;
    return ``{folder name: {"latest", "n_vars", "n_params"}}``."""
    out = run([python, '-c', VERIFY_SNIPPET] + list(dirs), env, 'TF restore check')
    return json.loads(out.strip().splitlines()[-1])
