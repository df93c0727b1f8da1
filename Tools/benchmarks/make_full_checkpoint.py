#!/usr/bin/env python3
"""Make a full-size (released zh2en shape) CSANMT checkpoint with random weights, in ModelScope's own format.

usage: python make_full_checkpoint.py OUT_DIR [--seed N] [--variables-list FILE]

Builds ModelScope's ``CsanmtForTranslation`` inference graph (TF1 graph mode, exactly as the translation pipeline
does) with the released zh2en configuration (spec §2: 24-6-1024, filter 4096, 16 heads, 4 semantic layers,
V = 50000, pre-norm, max_relative_dis 16, beam 4, lp 0.6, max_decoded_trg_len 100), fills every variable with
seeded random values and saves only the inference variables:

    OUT_DIR/tf_ckpts/ckpt-0.index
    OUT_DIR/tf_ckpts/ckpt-0.data-00000-of-00001
    OUT_DIR/tf_ckpts/checkpoint            (TF's state file, path written relative: "ckpt-0")
    OUT_DIR/configuration.json             (ModelScope layout: framework/task/pipeline/model/preprocessor)

Checks: 511 variables, 569,555,456 parameters, and (when the list file exists) the same names and shapes as
the released model's variable list (/work/shared/reference/csanmt_zh2en_variables.txt by default).

Values (the scales of the shared oracle_tiny.py, so activations stay O(1) through 24 pre-norm layers):
    */layer_norm_scale       1 + 0.1 * N(0,1)
    */layer_norm_offset      0.1 * N(0,1)
    *_Embedding/Weights      N(0,1) * hidden_size^-0.5
    2-D matrices [m, n]      N(0,1) * m^-0.5          (also rpr_k / rpr_v [33, 64])
    biases                   N(0,1) * hidden_size^-0.5
Each variable draws from its own numpy PCG64 stream seeded with (seed, crc32(name)), in float32 chunks, so the
values do not depend on graph-construction order. The variables are never run through TF's initialisers: each
one is assigned once from numpy (its initializer run with the initial value fed), in groups of ~256 MB,
which keeps peak memory at about one copy of the model (2.3 GB) plus one group.

The checkpoint (~2.3 GB) is benchmark data: write it under /work/scratch, never into the repository.
"""
import argparse
import json
import os
import resource
import sys
import time
import zlib

T_START = time.time()
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1
tf1.disable_eager_execution()

from modelscope.models.nlp.csanmt.translation import CsanmtForTranslation  # noqa: E402

T_IMPORTED = time.time()

# The released zh2en model section (spec §2), verbatim values.
ZH2EN_MODEL = {
    'hidden_size': 1024,
    'filter_size': 4096,
    'num_heads': 16,
    'num_encoder_layers': 24,
    'num_decoder_layers': 6,
    'attention_dropout': 0.0,
    'residual_dropout': 0.0,
    'relu_dropout': 0.0,
    'layer_preproc': 'layer_norm',
    'layer_postproc': 'none',
    'shared_embedding_and_softmax_weights': True,
    'shared_source_target_embedding': True,
    'initializer_scale': 0.1,
    'position_info_type': 'absolute',
    'max_relative_dis': 16,
    'num_semantic_encoder_layers': 4,
    'src_vocab_size': 50000,
    'trg_vocab_size': 50000,
    'seed': 1234,
    'beam_size': 4,
    'lp_rate': 0.6,
    'max_decoded_trg_len': 100,
}
EXPECTED_N_VARIABLES = 511
EXPECTED_N_PARAMS = 569555456
DEFAULT_VARIABLES_LIST = '/work/shared/reference/csanmt_zh2en_variables.txt'
CHUNK = 1 << 22  # 4 M float32 values (16 MB) per random draw
FILL_GROUP_BYTES = 256 << 20  # numpy values assigned per session.run


def log(msg):
    print('[%7.1fs] %s' % (time.time() - T_START, msg), flush=True)


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # ru_maxrss is in KiB on Linux


def random_value(name, shape, seed, hidden):
    """float32 array for variable `name` (without ':0'), drawn in chunks from its own stream."""
    rng = np.random.Generator(np.random.PCG64([seed, zlib.crc32(name.encode())]))
    if name.endswith('layer_norm_scale'):
        mean, scale = 1.0, 0.1
    elif name.endswith('layer_norm_offset'):
        mean, scale = 0.0, 0.1
    elif name.endswith('_Embedding/Weights'):
        mean, scale = 0.0, hidden ** -0.5
    elif len(shape) == 2:
        mean, scale = 0.0, shape[0] ** -0.5
    else:
        mean, scale = 0.0, hidden ** -0.5
    out = np.empty(shape, dtype=np.float32)
    flat = out.reshape(-1)
    for i in range(0, flat.size, CHUNK):
        part = flat[i:i + CHUNK]
        rng.standard_normal(out=part, dtype=np.float32)
        part *= np.float32(scale)
        if mean:
            part += np.float32(mean)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('out_dir')
    ap.add_argument('--seed', type=int, default=20261127, help='base seed of the random weights')
    ap.add_argument('--variables-list', default=DEFAULT_VARIABLES_LIST,
                    help='released variable list (name<TAB>[shape]) to check names/shapes against; skipped if absent')
    args = ap.parse_args()

    out_dir = os.path.abspath(args.out_dir)
    ckpt_dir = os.path.join(out_dir, 'tf_ckpts')
    os.makedirs(ckpt_dir, exist_ok=True)
    log('imports done (%.1fs)' % (T_IMPORTED - T_START))

    # ---- graph, exactly as the pipeline builds it (input placeholder, model(input) in NmtModel scope) ----
    t0 = time.time()
    g = tf1.Graph()
    with g.as_default():
        params = dict(ZH2EN_MODEL, device='cpu')
        model = CsanmtForTranslation(out_dir, **params)
        input_wids = tf1.placeholder(dtype=tf.int64, shape=[None, None], name='input_wids')
        model(input_wids)
        variables = tf1.global_variables()
    graph_s = time.time() - t0
    n_vars = len(variables)
    n_params = int(sum(int(np.prod(v.shape.as_list())) for v in variables))
    log('graph built in %.1fs: %d variables, %d params' % (graph_s, n_vars, n_params))
    if n_vars != EXPECTED_N_VARIABLES or n_params != EXPECTED_N_PARAMS:
        sys.exit('error: expected %d variables / %d params, got %d / %d'
                 % (EXPECTED_N_VARIABLES, EXPECTED_N_PARAMS, n_vars, n_params))
    if args.variables_list and os.path.exists(args.variables_list):
        want = {}
        for line in open(args.variables_list):
            if line.strip():
                name, shape = line.rstrip('\n').split('\t')
                want[name] = json.loads(shape)
        have = {v.name[:-2]: v.shape.as_list() for v in variables}
        if have != want:
            missing = sorted(set(want) - set(have))[:5]
            extra = sorted(set(have) - set(want))[:5]
            reshaped = sorted(k for k in set(want) & set(have) if want[k] != have[k])[:5]
            sys.exit('error: variables differ from %s: missing %s, extra %s, shape differs %s'
                     % (args.variables_list, missing, extra, reshaped))
        log('names and shapes match %s' % args.variables_list)
    else:
        log('note: no variable list at %s; name check skipped' % args.variables_list)

    # ---- fill and save ----
    hidden = ZH2EN_MODEL['hidden_size']
    prefix = os.path.join(ckpt_dir, 'ckpt-0')
    with g.as_default(), tf1.Session(graph=g, config=tf1.ConfigProto(
            intra_op_parallelism_threads=2, inter_op_parallelism_threads=2)) as sess:
        t0 = time.time()
        gen_s = 0.0
        # Each distinct session.run signature prunes the (large, beam-search) graph once, ~0.1 s; so assign the
        # variables in groups of up to FILL_GROUP_BYTES: few runs, and only one group of numpy values alive.
        group, group_bytes, done = {}, 0, 0
        for i, v in enumerate(variables):
            tg = time.time()
            val = random_value(v.name[:-2], v.shape.as_list(), args.seed, hidden)
            gen_s += time.time() - tg
            # v.initializer = AssignVariableOp(handle, initial_value); feeding initial_value assigns our
            # array and prunes TF's random initializer, which never runs.
            group[v] = val
            group_bytes += val.nbytes
            if group_bytes >= FILL_GROUP_BYTES or i + 1 == n_vars:
                sess.run([u.initializer for u in group],
                         {u.initializer.inputs[1]: x for u, x in group.items()})
                done += len(group)
                log('  filled %d/%d variables' % (done, n_vars))
                group, group_bytes = {}, 0
        fill_s = time.time() - t0
        log('filled in %.1fs (numpy random %.1fs)' % (fill_s, gen_s))
        t0 = time.time()
        saver = tf1.train.Saver(variables, max_to_keep=1)
        saver.save(sess, prefix, write_meta_graph=False, write_state=False)
        save_s = time.time() - t0
        log('saved in %.1fs' % save_s)
    # TF's `checkpoint` state file, with the relative path (the absolute one breaks when the folder moves).
    with open(os.path.join(ckpt_dir, 'checkpoint'), 'w') as f:
        f.write('model_checkpoint_path: "ckpt-0"\nall_model_checkpoint_paths: "ckpt-0"\n')

    cfg = {
        'framework': 'tensorflow',
        'task': 'translation',
        'pipeline': {'type': 'csanmt-translation'},
        'model': dict(type='csanmt-translation', **ZH2EN_MODEL),
        'preprocessor': {'src_lang': 'zh', 'tgt_lang': 'en'},
    }
    with open(os.path.join(out_dir, 'configuration.json'), 'w') as f:
        json.dump(cfg, f, indent=2)
        f.write('\n')

    # ---- verify what was written: names, shapes, and one variable's values, read back ----
    t0 = time.time()
    reader = tf.train.load_checkpoint(prefix)
    shapes = reader.get_variable_to_shape_map()
    if len(shapes) != EXPECTED_N_VARIABLES or sum(int(np.prod(s)) for s in shapes.values()) != EXPECTED_N_PARAMS:
        sys.exit('error: the saved checkpoint has %d tensors' % len(shapes))
    probe = 'NmtModel/encoder/layer_0/layer_norm/layer_norm_scale'
    if not np.array_equal(reader.get_tensor(probe), random_value(probe, [hidden], args.seed, hidden)):
        sys.exit('error: read-back of %s differs' % probe)
    log('read-back check ok (%.1fs)' % (time.time() - t0))

    for fn in sorted(os.listdir(ckpt_dir)):
        log('  %s  %d bytes' % (os.path.join('tf_ckpts', fn), os.path.getsize(os.path.join(ckpt_dir, fn))))
    summary = {
        'out_dir': out_dir, 'seed': args.seed, 'n_variables': n_vars, 'n_params': n_params,
        'import_s': round(T_IMPORTED - T_START, 2), 'graph_build_s': round(graph_s, 2),
        'fill_s': round(fill_s, 2), 'random_s': round(gen_s, 2), 'save_s': round(save_s, 2),
        'total_s': round(time.time() - T_START, 2), 'peak_rss_mb': round(peak_rss_mb(), 1),
    }
    print(json.dumps(summary), flush=True)


if __name__ == '__main__':
    main()
