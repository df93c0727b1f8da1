"""Tiny random-weight CSANMT runs: ModelScope's own TF graph on a small configuration, every intermediate recorded.

:func:`run_tiny` builds ``CsanmtForTranslation`` (ModelScope's class, unchanged) with a small configuration
(:func:`tiny_params`), overwrites every variable, layer-norm scales and offsets included, with seeded random values,
saves the checkpoint in the layout of the released models (``OUT/tf_ckpts/ckpt-0.*``, the same variable names),
and runs:

* beam search with ``beam_size`` 4, plus teacher-forced probes on the same variables (encoder output, semantic
  vector, decoder output and log-probs along a given target, see :func:`oracle.tfv1.teacher_forced_probes`);
* beam search with ``beam_size`` 1 in a second graph restored from the saved checkpoint (the restore path).

Files written to OUT:

=========================  ========================================================================================
``tf_ckpts/ckpt-0.*``      TF checkpoint (inference variables only) and the ``checkpoint`` state file
``beam4_outputs.npz``      ``src``, ``trg``, ``output_seqs``, ``output_scores``, ``encoder_output``, ``encoder_bias``,
                           ``semantic_vector``, ``decoder_output``, ``teacher_forced_logprobs``
``beam1_outputs.npz``      ``output_seqs``, ``output_scores``
``variables.txt``          one ``name<TAB>[shape]`` line per variable, in creation order
``configuration.json``     a ModelScope-style configuration whose ``model`` section is the parameters
``params.json``            the exact parameter dict the model was built with (``device`` included)
=========================  ========================================================================================

Everything is deterministic: the random values come from ``numpy.random.RandomState(0)`` drawn in variable
creation order, so the same parameters give the same bytes.

Examples (from ``Tools/goldens``)::

    python -m oracle.tiny /tmp/run                                   # pre-norm, H=64, 2+2 layers, V=100
    python -m oracle.tiny /tmp/run --preproc none --eos-boost 0.3    # post-norm, EOS made frequent
    python -m oracle.tiny /tmp/run --params '{"hidden_size": 96, "num_heads": 6}' \\
        --src '[[5, 17, 42], [12, 3, 0]]' --trg '[[7, 9], [21, 0]]'
    python -m oracle.numpy_port /tmp/run                             # cross-check with the numpy port
"""
import argparse
import json

import os
import sys

if __package__ in (None, ''):   # run as a file (python Tools/goldens/oracle/X.py): make the package importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np

from oracle.tfv1 import csanmt, teacher_forced_probes, tf_v1

# Source batch of the default run: id 0 is </s> and padding, V-1 would be <unk>. Row 1 is padded.
DEFAULT_SRC = [[5, 17, 42, 8, 99, 23, 61],
               [12, 3, 77, 30, 0, 0, 0]]
# Teacher-forced target of the default run, one row per source row (fed as-is, 0s included).
DEFAULT_TRG = [[7, 9, 11, 13],
               [21, 22, 0, 0]]
# Target row fed (teacher-forced, once per source row) to find the mean decoder output direction for --eos-boost.
EOS_FEED_ROW = [7, 9, 11, 13, 15, 17]
DEFAULT_VOCAB_SIZE = 100


def tiny_params(preproc='layer_norm', **overrides):
    """The tiny configuration, with ``overrides`` applied (keys must exist; their order is kept).

    ``preproc='layer_norm'`` gives pre-norm (the released models: ``layer_preproc=layer_norm``,
    ``layer_postproc=none``); ``preproc='none'`` gives post-norm (``layer_postproc=layer_norm``). Dropouts are 0,
    source, target and softmax share one embedding, ``device`` is ``cpu``.
    """
    if preproc not in ('layer_norm', 'none'):
        raise ValueError('preproc must be layer_norm or none, not %r' % preproc)
    params = {
        'hidden_size': 64,
        'filter_size': 128,
        'num_heads': 4,
        'num_encoder_layers': 2,
        'num_decoder_layers': 2,
        'attention_dropout': 0.0,
        'residual_dropout': 0.0,
        'relu_dropout': 0.0,
        'layer_preproc': preproc,
        'layer_postproc': 'none' if preproc == 'layer_norm' else 'layer_norm',
        'shared_embedding_and_softmax_weights': True,
        'shared_source_target_embedding': True,
        'initializer_scale': 0.1,
        'position_info_type': 'absolute',
        'max_relative_dis': 16,
        'num_semantic_encoder_layers': 2,
        'src_vocab_size': DEFAULT_VOCAB_SIZE,
        'trg_vocab_size': DEFAULT_VOCAB_SIZE,
        'seed': 1234,
        'beam_size': 4,
        'lp_rate': 0.6,
        'max_decoded_trg_len': 20,
        'device': 'cpu',
    }
    unknown = sorted(set(overrides) - set(params))
    if unknown:
        raise ValueError('unknown parameters %s' % unknown)
    params.update(overrides)
    return params


def _build(model_dir, params, beam_size):
    """A fresh graph holding ModelScope's beam search and the teacher-forced probes."""
    tf, tf1 = tf_v1()
    g = tf1.Graph()
    with g.as_default():
        tf1.set_random_seed(1234)
        p = dict(params, beam_size=beam_size)
        model = csanmt().CsanmtForTranslation(model_dir, **p)
        inp = tf1.placeholder(tf.int64, [None, None], name='input_wids')
        out = model(inp)
        trg, probes = teacher_forced_probes(model, inp, p)
    return g, inp, trg, out, probes


def _randomise(sess, variables, hidden_size):
    """Load seeded random values into every variable (order matters: one RandomState, creation order)."""
    rng = np.random.RandomState(0)
    for v in variables:
        shape = v.shape.as_list()
        if v.name.endswith('layer_norm_scale:0'):
            val = 1.0 + 0.1 * rng.randn(*shape)
        elif v.name.endswith('layer_norm_offset:0'):
            val = 0.1 * rng.randn(*shape)
        elif 'Embedding' in v.name:
            val = rng.randn(*shape) * (hidden_size ** -0.5)
        else:
            fan_in = shape[0] if len(shape) == 2 else hidden_size
            val = rng.randn(*shape) * (fan_in ** -0.5)
        v.load(val.astype(np.float32), sess)


def _boost_eos(sess, variables, probes, inp, trg, src, eos_feed, eos_boost):
    """Make </s> (id 0) a likely prediction: set the tied embedding row 0 to ``eos_boost`` times the unit vector
    of the mean decoder output of a teacher-forced pass of ``eos_feed``. Exercises the finished-hypothesis logic."""
    emb = [v for v in variables if v.name == 'NmtModel/Shared_Embedding/Weights:0']
    if len(emb) != 1:
        raise ValueError('--eos-boost needs a shared source/target embedding')
    d = sess.run(probes['decoder_output'], {inp: src, trg: eos_feed})
    direction = d.reshape(-1, d.shape[-1]).mean(0)
    E = sess.run(emb[0])
    E[0] = eos_boost * direction / np.linalg.norm(direction)
    emb[0].load(E, sess)


def run_tiny(out_dir, params=None, src=None, trg=None, eos_boost=0.0, eos_feed=None, verbose=True):
    """Build, randomise, save and run one tiny model; write the files listed in the module docstring to ``out_dir``.

    params     full parameter dict (default :func:`tiny_params`); ``trg_vocab_size`` is V of the log-probs
    src        ``[B][S]`` source ids, 0-padded (default :data:`DEFAULT_SRC`)
    trg        ``[B][T]`` teacher-forced target ids, one row per source row (default :data:`DEFAULT_TRG`)
    eos_boost  0 for plain random weights; > 0 aligns embedding row 0 with the decoder output (see _boost_eos)
    eos_feed   target fed for the boost (default :data:`EOS_FEED_ROW` repeated B times)

    Returns ``{'params', 'beam4', 'beam1', 'n_variables', 'n_params'}`` (``beam4``/``beam1``: the arrays saved).
    """
    tf, tf1 = tf_v1()
    params = dict(tiny_params() if params is None else params)
    src = np.array(DEFAULT_SRC if src is None else src, dtype=np.int64)
    trg = np.array(DEFAULT_TRG if trg is None else trg, dtype=np.int64)
    eos_feed = np.array([EOS_FEED_ROW] * len(src) if eos_feed is None else eos_feed, dtype=np.int64)
    if src.ndim != 2 or trg.ndim != 2 or len(src) != len(trg):
        raise ValueError('src and trg must be [B][S] and [B][T] with the same B')
    if src.size and not (0 <= src.min() and src.max() < params['src_vocab_size']):
        raise ValueError('source ids must be in [0, src_vocab_size)')
    if trg.size and not (0 <= trg.min() and trg.max() < params['trg_vocab_size']):
        raise ValueError('target ids must be in [0, trg_vocab_size)')
    ckpt = os.path.join(out_dir, 'tf_ckpts', 'ckpt-0')
    os.makedirs(os.path.dirname(ckpt), exist_ok=True)
    with open(os.path.join(out_dir, 'params.json'), 'w') as f:
        json.dump(params, f)

    # 1) beam 4: initialise, randomise everything, save the checkpoint, run beam search and probes.
    g, inp, trg_ph, out, probes = _build(out_dir, params, 4)
    with g.as_default():
        variables = tf1.global_variables()
        with tf1.Session(graph=g) as sess:
            sess.run(tf1.global_variables_initializer())
            _randomise(sess, variables, params['hidden_size'])
            if eos_boost:
                _boost_eos(sess, variables, probes, inp, trg_ph, src, eos_feed, eos_boost)
            tf1.train.Saver(variables).save(sess, ckpt, write_meta_graph=False)
            beam4 = sess.run({**out, **probes}, {inp: src, trg_ph: trg})
    np.savez(os.path.join(out_dir, 'beam4_outputs.npz'), src=src, trg=trg, **beam4)
    with open(os.path.join(out_dir, 'variables.txt'), 'w') as f:
        for v in variables:
            f.write('%s\t%s\n' % (v.name[:-2], v.shape.as_list()))
    n_params = int(sum(np.prod(v.shape.as_list()) for v in variables))
    if verbose:
        print('beam4 output_seqs', beam4['output_seqs'].tolist())
        print('beam4 output_scores', beam4['output_scores'].tolist())
        print('n_variables', len(variables), 'n_params', n_params)

    # 2) beam 1 in a second graph restored from the checkpoint (tests that the saved checkpoint is complete).
    g1, inp1, _, out1, _ = _build(out_dir, params, 1)
    with g1.as_default(), tf1.Session(graph=g1) as sess:
        tf1.train.Saver(tf1.global_variables()).restore(sess, ckpt)
        beam1 = sess.run(out1, {inp1: src})
    np.savez(os.path.join(out_dir, 'beam1_outputs.npz'), **beam1)
    if verbose:
        print('beam1 output_seqs', beam1['output_seqs'].tolist())
        print('beam1 output_scores', beam1['output_scores'].tolist())

    write_configuration(out_dir, params)
    return {'params': params, 'beam4': dict(beam4, src=src, trg=trg), 'beam1': beam1,
            'n_variables': len(variables), 'n_params': n_params}


def write_configuration(out_dir, params):
    """``configuration.json`` in ModelScope's layout; its ``model`` section is ``params`` without ``device``."""
    model = {k: v for k, v in params.items() if k != 'device'}
    with open(os.path.join(out_dir, 'configuration.json'), 'w') as f:
        json.dump({'framework': 'tensorflow', 'task': 'translation', 'pipeline': {'type': 'csanmt-translation'},
                   'model': dict(type='csanmt-translation', **model)}, f, indent=2)


def _json_arg(text):
    try:
        return json.loads(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError('not JSON: %s' % e)


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog='python -m oracle.tiny', description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('out_dir', metavar='OUT', help='run folder to create (checkpoint, npz files, configuration)')
    ap.add_argument('--preproc', choices=['layer_norm', 'none'], default='layer_norm',
                    help='layer_norm: pre-norm (as released); none: post-norm (default: %(default)s)')
    ap.add_argument('--params', type=_json_arg, default={}, metavar='JSON',
                    help='overrides of the tiny configuration, e.g. \'{"hidden_size": 96, "num_heads": 6, '
                         '"src_vocab_size": 150, "trg_vocab_size": 150}\'; keys: %s' % ', '.join(tiny_params()))
    ap.add_argument('--src', type=_json_arg, default=DEFAULT_SRC, metavar='JSON',
                    help='source batch [B][S], 0-padded (default: %(default)s)')
    ap.add_argument('--trg', type=_json_arg, default=DEFAULT_TRG, metavar='JSON',
                    help='teacher-forced target [B][T] (default: %(default)s)')
    ap.add_argument('--eos-boost', type=float, default=0.0, metavar='A',
                    help='> 0: set embedding row 0 (</s>) to A * the mean decoder direction so EOS is frequent; '
                         '0.3 gives a mix of finished and unfinished hypotheses (default: %(default)s)')
    ap.add_argument('--eos-feed', type=_json_arg, default=None, metavar='JSON',
                    help='target fed to find that direction (default: %s once per source row)' % EOS_FEED_ROW)
    a = ap.parse_args(argv)
    try:
        params = tiny_params(a.preproc, **a.params)
    except ValueError as e:
        ap.error(str(e))
    run_tiny(a.out_dir, params, a.src, a.trg, a.eos_boost, a.eos_feed)


if __name__ == '__main__':
    main()
