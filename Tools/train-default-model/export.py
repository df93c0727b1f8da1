#!/usr/bin/env python3
"""Export a training checkpoint as a clean ModelScope CSANMT model folder.

  python export.py [--run-dir /work/scratch/train/run] [--ckpt PREFIX] [--average PREFIX,PREFIX...]
                   [--lp-rate 0.6] [--out /work/scratch/train/export/csanmt-zh2en-small] [--no-verify]

The direction (zh->en or en->zh) is the one prepare_data.py wrote into the run's data folder (stats.json).

--average: the exported weights are the element-wise mean of --ckpt and these checkpoints (checkpoint
averaging, a standard last step of NMT training; recorded in configuration.json).
--lp-rate: the beam search's length penalty alpha written to configuration.json (`model.lp_rate` and
`evaluation.lp_rate`); ModelScope's released value is 0.6. The shipped default model uses 1.0, chosen on FLORES
**dev** (Tools/train-default-model/sweep_length_penalty.sh).

Writes OUT/configuration.json, src_vocab.txt, trg_vocab.txt, bpe.zh, bpe.en,
tf_ckpts/{checkpoint, ckpt-0.index, ckpt-0.data-00000-of-00001} holding ONLY the
variables of the inference graph (CsanmtForTranslation(...)(input) =
beam_search), read by name from the training checkpoint (Adam slots,
global_step etc. are dropped).  Then verifies by restoring the folder with
Saver(tf.global_variables()) through Tools/goldens/oracle/dump.py
(the pipeline's own pre/postprocessing + beam search) on 3 sentences and prints
the translations.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
os.environ.setdefault('TMPDIR', '/work/scratch/tmp')
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1
tf1.disable_eager_execution()

from modelscope.models.nlp.csanmt import translation as T  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.environ.get('CSANMT_REFERENCE', os.path.join(HERE, '..', 'goldens', 'oracle'))
SAMPLES = {'zh': ['今天天气很好。', '我想喝一杯咖啡。', '这个文件无法打开，请检查权限。'],
           'en': ['The weather is nice today.', 'I would like a cup of coffee.', 'This file cannot be opened; check the permissions.']}

# keys of the released configuration.json `model` section (inference semantics)
MODEL_KEYS = ['hidden_size', 'filter_size', 'num_heads', 'num_encoder_layers',
              'num_decoder_layers', 'attention_dropout', 'residual_dropout',
              'relu_dropout', 'layer_preproc', 'layer_postproc',
              'shared_embedding_and_softmax_weights',
              'shared_source_target_embedding', 'initializer_scale',
              'position_info_type', 'max_relative_dis',
              'num_semantic_encoder_layers', 'src_vocab_size', 'trg_vocab_size',
              'seed', 'beam_size', 'lp_rate', 'max_decoded_trg_len']
TRAIN_KEYS = ['initializer', 'learning_rate', 'learning_rate_decay', 'warmup_steps',
              'optimizer', 'adam_beta1', 'adam_beta2', 'adam_epsilon', 'update_cycle',
              'gradient_clip_norm', 'confidence', 'num_of_samples', 'eta']


def inference_params(train_params, lp_rate):
    p = {k: train_params[k] for k in MODEL_KEYS}
    # dropout must be 0 at inference (encoding_graph applies residual dropout
    # whenever it is > 0, even in beam search)
    p.update(attention_dropout=0.0, residual_dropout=0.0, relu_dropout=0.0,
             beam_size=4, lp_rate=lp_rate, max_decoded_trg_len=100)
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--run-dir', default='/work/scratch/train/run')
    ap.add_argument('--ckpt', default=None, help='checkpoint prefix (default: latest in RUN/tf_ckpts)')
    ap.add_argument('--average', default='', help='comma-separated checkpoint prefixes averaged with --ckpt')
    ap.add_argument('--lp-rate', type=float, default=0.6,
                    help="beam-search length penalty alpha (ModelScope's released value: 0.6)")
    ap.add_argument('--out', default='/work/scratch/train/export/csanmt-zh2en-small')
    ap.add_argument('--no-verify', action='store_true')
    a = ap.parse_args()

    cfg = json.load(open(os.path.join(a.run_dir, 'train_config.json')))
    tp = cfg['params']
    data_dir = cfg['data']
    ckpt = a.ckpt or tf1.train.latest_checkpoint(os.path.join(a.run_dir, 'tf_ckpts'))
    assert ckpt, 'no checkpoint found'
    reader = tf1.train.load_checkpoint(ckpt)
    averaged = [c for c in a.average.split(',') if c]
    readers = [reader] + [tf1.train.load_checkpoint(c) for c in averaged]
    if averaged:
        print('averaging with', averaged)
    shapes = reader.get_variable_to_shape_map()
    step = int(reader.get_tensor('global_step')) if 'global_step' in shapes else -1
    print('exporting', ckpt, 'global_step', step)

    p = inference_params(tp, a.lp_rate)
    os.makedirs(os.path.join(a.out, 'tf_ckpts'), exist_ok=True)
    for f in os.listdir(os.path.join(a.out, 'tf_ckpts')):
        os.remove(os.path.join(a.out, 'tf_ckpts', f))

    g = tf1.Graph()
    with g.as_default():
        m = T.CsanmtForTranslation(tempfile.mkdtemp(), **dict(p, device='cpu'))
        inp = tf1.placeholder(tf.int64, [None, None], name='input_wids')
        m(inp)
        vs = tf1.global_variables()
        missing = [v.op.name for v in vs if v.op.name not in shapes]
        assert not missing, 'inference variables missing from checkpoint: %s' % missing[:10]
        for v in vs:
            assert list(shapes[v.op.name]) == v.shape.as_list(), v.op.name
        with tf1.Session(graph=g) as sess:
            for v in vs:
                values = [r.get_tensor(v.op.name) for r in readers]
                v.load(values[0] if len(values) == 1 else np.mean(values, axis=0).astype(values[0].dtype), sess)
            tf1.train.Saver(vs).save(sess, os.path.join(a.out, 'tf_ckpts', 'ckpt-0'),
                                     write_meta_graph=False)
    # relative path in the `checkpoint` state file (portable folder)
    with open(os.path.join(a.out, 'tf_ckpts', 'checkpoint'), 'w') as f:
        f.write('model_checkpoint_path: "ckpt-0"\nall_model_checkpoint_paths: "ckpt-0"\n')
    names = set(v.op.name for v in vs)
    dropped = sorted(k for k in shapes if k not in names)
    n_params = sum(int(np.prod(v.shape.as_list())) for v in vs)
    print('exported %d inference variables (%d params, %.1f MB fp32); dropped %d training-only keys'
          % (len(vs), n_params, 4 * n_params / 1e6, len(dropped)))

    for f in ('src_vocab.txt', 'trg_vocab.txt', 'bpe.zh', 'bpe.en'):
        shutil.copy(os.path.join(data_dir, f), os.path.join(a.out, f))
    # The direction prepare_data.py wrote (zh2en before --direction existed).
    direction = json.load(open(os.path.join(data_dir, 'stats.json'))).get('direction', 'zh2en')
    src_lang, tgt_lang = direction[:2], direction[3:]
    conf = {
        'framework': 'tensorflow',
        'task': 'translation',
        'pipeline': {'type': 'csanmt-translation'},
        'model': dict(type='csanmt-translation', **p),
        'dataset': {'src_vocab': {'file': 'src_vocab.txt'},
                    'trg_vocab': {'file': 'trg_vocab.txt'}},
        'preprocessor': {'src_lang': src_lang, 'tgt_lang': tgt_lang,
                         'src_bpe': {'file': 'bpe.%s' % src_lang}, 'tgt_bpe': {'file': 'bpe.%s' % tgt_lang}},
        'train': dict({k: tp[k] for k in TRAIN_KEYS if k in tp},
                      residual_dropout=tp['residual_dropout'],
                      relu_dropout=tp['relu_dropout'],
                      global_step=step, source_checkpoint=os.path.abspath(ckpt),
                      averaged_checkpoints=[os.path.abspath(c) for c in averaged],
                      semantic_encoder='trained jointly with the MLE loss (not frozen)',
                      contrastive_weight=cfg.get('contrastive_weight', 0.0),
                      batch_tokens=cfg.get('batch_tokens')),
        'evaluation': {'beam_size': 4, 'lp_rate': a.lp_rate, 'max_decoded_trg_len': 100},
    }
    with open(os.path.join(a.out, 'configuration.json'), 'w', encoding='utf-8') as f:
        json.dump(conf, f, indent=2, ensure_ascii=False)
    print('wrote', a.out)

    if a.no_verify:
        return
    # verification: the pipeline's preprocessing + Saver(tf.global_variables())
    # restore + beam search, via the reference oracle.
    out_npz = os.path.join(tempfile.mkdtemp(), 'verify.npz')
    r = subprocess.run([sys.executable, os.path.join(REFERENCE, 'dump.py'), a.out,
                        '<SENT_SPLIT>'.join(SAMPLES[src_lang]), out_npz],
                       capture_output=True, text=True)
    if r.returncode != 0:
        print(r.stderr[-3000:])
        sys.exit('verification FAILED')
    res = json.loads(r.stdout.strip().splitlines()[-1])
    for s, t in zip(SAMPLES[src_lang], res['translation'].split('<SENT_SPLIT>')):
        print('  %s -> %s' % (s, t))
    print('verification OK (restored with Saver(tf.global_variables()) and ran beam 4)')


if __name__ == '__main__':
    main()
