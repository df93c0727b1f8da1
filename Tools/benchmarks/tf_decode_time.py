#!/usr/bin/env python3
"""Time ModelScope's own TF beam search on a ModelScope-format CSANMT folder, for one source id sequence.

usage: python tf_decode_time.py MODEL_DIR --src "[ids...]" [--beam N] [--repeats N] [--threads N]

MODEL_DIR holds configuration.json and tf_ckpts/ckpt-0.* (a released model folder, or one made by
make_full_checkpoint.py). The model is built and restored the way modelscope's TranslationPipeline does it:
tf.compat.v1 graph mode, an int64 [None, None] placeholder ``input_wids``,
``CsanmtForTranslation(model_dir, **cfg.model)(input_wids)`` and ``Saver(tf.global_variables()).restore``.
Only the tokenizer is skipped: the source ids are fed directly, as a 1-row batch (without </s>; the model
appends it, spec §1.3).

One untimed warm-up run, then --repeats timed runs of ``session.run`` on the beam-search outputs. stdout gets
exactly one JSON line:

    {"beams": [[ids...], ...], "scores": [...], "seconds": [...], "graph_build_s": ..., "restore_s": ...,
     "peak_rss_mb": ..., "src": [...], "beam": ..., "threads": ..., "steps": ..., "import_s": ...,
     "warmup_s": ..., "tf_version": "..."}

``beams``/``scores`` follow the Swift CLI's ``csanmt translate-ids`` contract: all beam rows, best first (as
ModelScope orders them), each cut at the first 0 (</s>), the 0 excluded; scores are ModelScope's
length-normalised log-probs (float32, printed with the shortest repr that round-trips as float32; a
non-finite score would be null). A row that never finished keeps ModelScope's score for it (can be FMIN
-3.4028235e+38 when another row finished). ``steps`` is the raw output length (columns of output_seqs).
``seconds`` are the wall times of the timed runs; every run must return the same beams and scores, else the
script fails. ``peak_rss_mb`` is the process's peak resident set (ru_maxrss). Everything else (modelscope's
parameter print, logs) goes to stderr.
"""
import argparse
import contextlib
import json
import math
import os
import resource
import sys
import time

T_START = time.time()
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
with contextlib.redirect_stdout(sys.stderr):
    import numpy as np  # noqa: E402
    import tensorflow as tf  # noqa: E402

    tf1 = tf.compat.v1
    tf1.disable_eager_execution()
    from modelscope.models.nlp.csanmt.translation import CsanmtForTranslation  # noqa: E402
T_IMPORTED = time.time()


def log(msg):
    print('[%7.1fs] %s' % (time.time() - T_START, msg), file=sys.stderr, flush=True)


def f32(x):
    """float32 value as the Python float of its shortest float32 repr (what Swift's Float prints)."""
    x = np.float32(x)
    return float(repr(x)) if math.isfinite(x) else None


def cut_at_eos(row):
    ids = [int(t) for t in row]
    return ids[:ids.index(0)] if 0 in ids else ids


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('model_dir')
    ap.add_argument('--src', required=True, help='JSON array of source ids, e.g. "[5, 17, 42]"')
    ap.add_argument('--beam', type=int, default=None, help="beam width (default: the model's beam_size)")
    ap.add_argument('--repeats', type=int, default=1, help='timed runs after the warm-up (default 1)')
    ap.add_argument('--threads', type=int, default=2, help='TF intra- and inter-op threads (default 2)')
    args = ap.parse_args()

    src = json.loads(args.src)
    if not isinstance(src, list) or not src or not all(isinstance(t, int) and t >= 0 for t in src):
        sys.exit('error: --src must be a non-empty JSON array of non-negative integer ids')
    model_dir = os.path.abspath(args.model_dir)
    with open(os.path.join(model_dir, 'configuration.json')) as f:
        cfg = json.load(f)
    params = {k: v for k, v in cfg['model'].items() if k != 'type'}
    params.setdefault('device', 'cpu')
    if args.beam is not None:
        params['beam_size'] = args.beam
    vocab = params['src_vocab_size']
    if max(src) >= vocab:
        sys.exit('error: source id %d >= src_vocab_size %d' % (max(src), vocab))
    ckpt = os.path.join(model_dir, 'tf_ckpts', 'ckpt-0')
    log('imports %.1fs; model %s, beam %d, %d source ids, %d threads'
        % (T_IMPORTED - T_START, model_dir, params['beam_size'], len(src), args.threads))

    t0 = time.time()
    g = tf1.Graph()
    with g.as_default(), contextlib.redirect_stdout(sys.stderr):
        input_wids = tf1.placeholder(dtype=tf.int64, shape=[None, None], name='input_wids')
        model = CsanmtForTranslation(model_dir, **params)
        output = model(input_wids)
    graph_build_s = time.time() - t0
    log('graph built in %.1fs' % graph_build_s)

    config = tf1.ConfigProto(intra_op_parallelism_threads=args.threads,
                             inter_op_parallelism_threads=args.threads,
                             allow_soft_placement=True)
    with g.as_default(), tf1.Session(graph=g, config=config) as sess:
        t0 = time.time()
        tf1.train.Saver(tf1.global_variables()).restore(sess, ckpt)
        restore_s = time.time() - t0
        log('restored %d variables in %.1fs' % (len(tf1.global_variables()), restore_s))

        feed = {input_wids: np.array([src], dtype=np.int64)}
        t0 = time.time()
        first = sess.run(output, feed)
        warmup_s = time.time() - t0
        log('warm-up run %.2fs, output_seqs %s' % (warmup_s, list(first['output_seqs'].shape)))
        seconds = []
        for i in range(args.repeats):
            t0 = time.time()
            res = sess.run(output, feed)
            seconds.append(time.time() - t0)
            log('run %d: %.2fs' % (i + 1, seconds[-1]))
            if not (np.array_equal(res['output_seqs'], first['output_seqs'])
                    and np.array_equal(res['output_scores'], first['output_scores'])):
                sys.exit('error: run %d gave different beams/scores than the warm-up run' % (i + 1))

    seqs, scores = first['output_seqs'][0], first['output_scores'][0]
    result = {
        'beams': [cut_at_eos(row) for row in seqs],
        'scores': [f32(s) for s in scores],
        'seconds': [round(s, 4) for s in seconds],
        'graph_build_s': round(graph_build_s, 3),
        'restore_s': round(restore_s, 3),
        'peak_rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
        'src': src,
        'beam': params['beam_size'],
        'threads': args.threads,
        'steps': int(seqs.shape[-1]),
        'import_s': round(T_IMPORTED - T_START, 3),
        'warmup_s': round(warmup_s, 4),
        'tf_version': tf.__version__,
    }
    sys.stdout.write(json.dumps(result) + '\n')
    sys.stdout.flush()


if __name__ == '__main__':
    main()
