#!/usr/bin/env python3
"""Train a small CSANMT zh->en model with ModelScope's own TF graph code.

The model graph is built from ModelScope's CsanmtForTranslation methods
(modelscope==1.40.2, modelscope/models/nlp/csanmt/translation.py):
  encoding_graph(src)            -> NmtModel/Shared_Embedding, encoder_input_bias, encoder/...
  semantic_encoding_graph(src)   -> NmtModel/Shared_Semantic_Embedding, mini_xlm_encoder/...
  decoding_graph(enc, bias, trg, embedding_augmentation=r)  -> NmtModel/decoder/..., loss
inside variable_scope('NmtModel', initializer=get_initializer(params)), exactly
as transformer_model_train_fn does, so every inference variable has the name
and meaning that beam_search (and the released checkpoints) use.  What differs
from transformer_model_train_fn (documented in README.md):
  * the semantic encoder is trained JOINTLY by the translation loss (the released
    recipe pretrains it contrastively and freezes it); optionally an in-batch
    contrastive loss between the semantic vectors of source and target is added
    (--contrastive-weight, default 0).
  * no MGMC sampling: the decoder is augmented with r(x) itself, as at inference
    (MGMC would tile the decoder batch num_of_samples=4 times, too slow here).
  * plain tf.compat.v1.train.AdamOptimizer (no MultiStepOptimizer wrapper, update
    cycle 1); its slot variables are named <var>/Adam, <var>/Adam_1 and are
    dropped by export.py.
Loss, label smoothing (confidence), learning-rate schedule
(linear_warmup_rsqrt_decay) and initializer come from the ModelScope code.

Resumable: restarting with the same --run-dir restores the latest
tf_ckpts/ckpt-N (all variables incl. Adam slots and global_step) and continues
the deterministic batch order at that step.  Stops cleanly (saving a
checkpoint) on SIGTERM/SIGINT, when RUN_DIR/STOP exists, at --stop-at HH:MM
(UTC) or after --max-steps.

usage:
  nice -n 19 python train.py --data /work/scratch/train/data --run-dir /work/scratch/train/run \
      [--hidden 256 --filter 1024 --heads 4 --enc 6 --dec 3 --sem 2] [--batch-tokens 3000] \
      [--stop-at 13:00] [--save-minutes 10] [--bench-steps N]
"""
import argparse
import json
import math
import os
import signal
import sys
import time
import datetime

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
os.environ.setdefault('TMPDIR', '/work/scratch/tmp')
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1
tf1.disable_eager_execution()
# TF1 top-level names used by translation.py's MultiStepOptimizer (see
# ../shared/reference/list_vars.py); harmless, kept so the module behaves the same.
for _n, _f in (('assign_add', tf1.assign_add), ('scatter_add', tf1.scatter_add),
               ('get_default_graph', tf1.get_default_graph), ('mod', tf1.mod)):
    if not hasattr(tf, _n):
        setattr(tf, _n, _f)

from modelscope.models.nlp.csanmt import translation as T  # noqa: E402


def model_params(a, vocab_size):
    """The `model` section (inference semantics) + training-only keys."""
    return dict(
        hidden_size=a.hidden, filter_size=a.filter, num_heads=a.heads,
        num_encoder_layers=a.enc, num_decoder_layers=a.dec,
        num_semantic_encoder_layers=a.sem,
        src_vocab_size=vocab_size, trg_vocab_size=vocab_size,
        # dropout: attention_dropout must stay 0 (translation.py passes a keep
        # probability as TF2's `rate` in dot_product_attention).
        attention_dropout=0.0, residual_dropout=a.dropout, relu_dropout=a.dropout,
        layer_preproc='layer_norm', layer_postproc='none',
        shared_embedding_and_softmax_weights=True,
        shared_source_target_embedding=True,
        initializer='uniform_unit_scaling', initializer_scale=1.0,
        position_info_type='absolute', max_relative_dis=16, seed=1234,
        beam_size=4, lp_rate=0.6, max_decoded_trg_len=100, device='cpu',
        num_gpus=0, gradient_clip_norm=0.0, learning_rate=a.lr,
        learning_rate_decay='linear_warmup_rsqrt_decay', warmup_steps=a.warmup,
        optimizer='adam', adam_beta1=0.9, adam_beta2=0.98, adam_epsilon=1e-9,
        update_cycle=1, confidence=1.0 - a.label_smoothing,
        num_of_samples=4, eta=0.6)


def make_batches(src_len, trg_len, batch_tokens, max_sents=512):
    """Bucket by length; each batch has max_len * n_sents <= batch_tokens
    (max over source+1 and target+1, padded)."""
    n = len(src_len)
    L = np.maximum(src_len, trg_len) + 1
    order = np.lexsort((src_len, L))  # sort by max len, then src len
    batches = []
    cur, cur_max = [], 0
    for i in order:
        m = max(cur_max, int(L[i]))
        if cur and (m * (len(cur) + 1) > batch_tokens or len(cur) >= max_sents):
            batches.append(np.array(cur, dtype=np.int64))
            cur, m = [], int(L[i])
        cur.append(i)
        cur_max = m
    if cur:
        batches.append(np.array(cur, dtype=np.int64))
    return batches


class Data:
    def __init__(self, path, batch_tokens, seed):
        z = np.load(path)
        self.vocab_size = int(z['vocab_size'])
        self.src, self.src_len = z['src'], z['src_len']
        self.trg, self.trg_len = z['trg'], z['trg_len']
        self.src_off = np.concatenate([[0], np.cumsum(self.src_len)])
        self.trg_off = np.concatenate([[0], np.cumsum(self.trg_len)])
        self.batches = make_batches(self.src_len, self.trg_len, batch_tokens)
        self.seed = seed
        self._epoch, self._perm = None, None

    def __len__(self):
        return len(self.batches)

    def _pad(self, flat, off, lens, idx):
        m = int(lens[idx].max())
        out = np.zeros((len(idx), m), dtype=np.int64)
        for r, i in enumerate(idx):
            out[r, :lens[i]] = flat[off[i]:off[i + 1]]
        return out

    def batch_for_step(self, step):
        """deterministic: epoch e uses permutation seeded by seed+e."""
        epoch, k = divmod(int(step), len(self.batches))
        if epoch != self._epoch:
            self._perm = np.random.RandomState(self.seed + epoch).permutation(len(self.batches))
            self._epoch = epoch
        idx = self.batches[self._perm[k]]
        return epoch, self._pad(self.src, self.src_off, self.src_len, idx), \
            self._pad(self.trg, self.trg_off, self.trg_len, idx)


def build_graph(p, contrastive_weight):
    m = T.CsanmtForTranslation(tempfile_dir(), **p)
    src = tf1.placeholder(tf.int64, [None, None], name='source')
    trg = tf1.placeholder(tf.int64, [None, None], name='target')
    global_step = tf1.train.get_or_create_global_step()
    with tf1.variable_scope('NmtModel', initializer=T.get_initializer(p)):
        enc, enc_bias = m.encoding_graph(src, p)
        r_src = m.semantic_encoding_graph(src, p)           # [B,1,H]
        mle = m.decoding_graph(enc, enc_bias, trg, p, embedding_augmentation=r_src)
        loss = mle
        if contrastive_weight > 0:
            r_trg = m.semantic_encoding_graph(trg, p)
            a = tf.math.l2_normalize(r_src[:, 0, :], axis=-1)
            b = tf.math.l2_normalize(r_trg[:, 0, :], axis=-1)
            logits = tf.matmul(a, b, transpose_b=True) / 0.1
            lab = tf.range(tf.shape(logits)[0])
            ctr = 0.5 * (tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=lab, logits=logits))
                         + tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=lab, logits=tf.transpose(logits))))
            loss = mle + contrastive_weight * ctr
        lr = tf.convert_to_tensor(T.get_learning_rate_decay(p['learning_rate'], global_step, p),
                                  dtype=tf.float32)
        opt = tf1.train.AdamOptimizer(lr, beta1=p['adam_beta1'], beta2=p['adam_beta2'],
                                      epsilon=p['adam_epsilon'])
        train_op = opt.minimize(loss, global_step=global_step)
    return dict(src=src, trg=trg, loss=loss, mle=mle, lr=lr, train_op=train_op,
                global_step=global_step)


def tempfile_dir():
    import tempfile
    return tempfile.mkdtemp(prefix='csanmt_train_')


def warm_start(sess, model_dir, data_dir):
    """Loads every trainable variable from a model folder's safetensors, by ModelScope tensor name.

    The folder must share the vocabulary (same ids) and the architecture; anything missing or of another shape is an
    error rather than a silent partial start. Adam's slots and the step counter stay fresh.
    """
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from rebuild_modelscope_folder import read_safetensors
    cfg = json.load(open(os.path.join(model_dir, 'config.json')))
    ours = open(os.path.join(data_dir, 'src_vocab.txt'), 'rb').read()
    theirs = open(os.path.join(model_dir, cfg.get('tokenizer', {}).get('src_vocab', 'src_vocab.txt')), 'rb').read()
    if ours != theirs:
        sys.exit('--init-from: %s has another vocabulary than %s' % (model_dir, data_dir))
    weights = read_safetensors(os.path.join(model_dir, cfg['weights']))
    loaded = 0
    for v in tf1.trainable_variables():
        name = v.op.name
        if name not in weights or list(weights[name].shape) != v.shape.as_list():
            sys.exit('--init-from: %s lacks %s %s' % (model_dir, name, v.shape.as_list()))
        v.load(weights[name], sess)
        loaded += 1
    print('warm start: %d variables from %s' % (loaded, model_dir), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='/work/scratch/train/data')
    ap.add_argument('--run-dir', default='/work/scratch/train/run')
    ap.add_argument('--hidden', type=int, default=256)
    ap.add_argument('--filter', type=int, default=1024)
    ap.add_argument('--heads', type=int, default=4)
    ap.add_argument('--enc', type=int, default=6)
    ap.add_argument('--dec', type=int, default=3)
    ap.add_argument('--sem', type=int, default=2)
    ap.add_argument('--dropout', type=float, default=0.1)
    ap.add_argument('--label-smoothing', type=float, default=0.1)
    ap.add_argument('--lr', type=float, default=1.0, help='scale of linear_warmup_rsqrt_decay')
    ap.add_argument('--warmup', type=int, default=1000)
    ap.add_argument('--contrastive-weight', type=float, default=0.0)
    ap.add_argument('--batch-tokens', type=int, default=3000)
    ap.add_argument('--seed', type=int, default=1234)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--save-minutes', type=float, default=10.0)
    ap.add_argument('--keep-every-hours', type=float, default=0.5,
                    help='also keep one checkpoint per this many hours (learning curve)')
    ap.add_argument('--log-every', type=int, default=20)
    ap.add_argument('--stop-at', default=None, help='HH:MM UTC: save and stop at this time')
    ap.add_argument('--max-steps', type=int, default=0)
    ap.add_argument('--init-from', default=None, metavar='MODEL_DIR',
                    help='a fresh run starts from the weights of a csanmt-swift model folder with the same '
                         'architecture and vocabulary (e.g. Weights/csanmt-zh2en-small for en->zh) instead of random '
                         'values; ignored when resuming')
    ap.add_argument('--bench-steps', type=int, default=0,
                    help='run N steps without saving, print tokens/s and exit')
    a = ap.parse_args()

    os.makedirs(a.run_dir, exist_ok=True)
    ckpt_dir = os.path.join(a.run_dir, 'tf_ckpts')
    os.makedirs(ckpt_dir, exist_ok=True)
    cfg_path = os.path.join(a.run_dir, 'train_config.json')
    data = Data(os.path.join(a.data, 'train.ids.npz'), a.batch_tokens, a.seed)
    if os.path.exists(cfg_path) and not a.bench_steps:
        saved = json.load(open(cfg_path))
        p = saved['params']
        cw = saved['contrastive_weight']
        if saved['batch_tokens'] != a.batch_tokens:
            print('note: using batch_tokens from run dir', saved['batch_tokens'])
            data = Data(os.path.join(a.data, 'train.ids.npz'), saved['batch_tokens'], saved['seed'])
        print('resuming run with saved config', cfg_path)
    else:
        p = model_params(a, data.vocab_size)
        cw = a.contrastive_weight
        if not a.bench_steps:
            json.dump(dict(params=p, contrastive_weight=cw, batch_tokens=a.batch_tokens,
                           seed=a.seed, data=os.path.abspath(a.data), init_from=a.init_from),
                      open(cfg_path, 'w'), indent=1)
    print('batches per epoch', len(data), 'sentences', len(data.src_len), flush=True)

    tf1.set_random_seed(a.seed)
    g = build_graph(p, cw)
    n_params = sum(int(np.prod(v.shape.as_list())) for v in tf1.trainable_variables())
    print('trainable params %d (%.1fM)' % (n_params, n_params / 1e6), flush=True)
    saver = tf1.train.Saver(tf1.global_variables(), max_to_keep=2,
                            keep_checkpoint_every_n_hours=a.keep_every_hours)
    conf = tf1.ConfigProto(intra_op_parallelism_threads=a.threads,
                           inter_op_parallelism_threads=1)
    sess = tf1.Session(config=conf)
    latest = tf1.train.latest_checkpoint(ckpt_dir)
    if latest and not a.bench_steps:
        saver.restore(sess, latest)
        print('restored', latest, flush=True)
    else:
        sess.run(tf1.global_variables_initializer())
        if a.init_from:
            warm_start(sess, a.init_from, a.data)
    step = int(sess.run(g['global_step']))

    stop = {'flag': False}

    def on_signal(sig, frm):
        print('signal %d: will save and stop' % sig, flush=True)
        stop['flag'] = True
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    stop_time = None
    if a.stop_at:
        hh, mm = map(int, a.stop_at.split(':'))
        now = datetime.datetime.utcnow()
        stop_time = now.replace(hour=hh, minute=mm, second=0, microsecond=0)
        if stop_time < now - datetime.timedelta(hours=1):
            stop_time += datetime.timedelta(days=1)

    def save():
        path = saver.save(sess, os.path.join(ckpt_dir, 'ckpt'), global_step=step)
        print('saved %s at %s' % (path, datetime.datetime.utcnow().strftime('%H:%M:%S')), flush=True)

    t_start = time.time()
    last_save = time.time()
    win = dict(loss=0.0, n=0, src=0, trg=0, t=time.time())
    tot = dict(src=0, trg=0)
    steps_run = 0
    while True:
        epoch, xs, ys = data.batch_for_step(step)
        _, loss, mle, lr, step = sess.run(
            [g['train_op'], g['loss'], g['mle'], g['lr'], g['global_step']],
            feed_dict={g['src']: xs, g['trg']: ys})
        step = int(step)
        steps_run += 1
        ns, nt = int((xs != 0).sum()), int((ys != 0).sum())
        win['loss'] += mle
        win['n'] += 1
        win['src'] += ns
        win['trg'] += nt
        tot['src'] += ns
        tot['trg'] += nt
        if not math.isfinite(loss):
            print('non-finite loss at step', step, flush=True)
            sys.exit(2)
        if step % a.log_every == 0 or (a.bench_steps and steps_run == a.bench_steps):
            dt = time.time() - win['t']
            print('%s step %d epoch %.2f loss %.4f lr %.2e  src_tok/s %.0f trg_tok/s %.0f  s/step %.2f' % (
                datetime.datetime.utcnow().strftime('%H:%M:%S'), step,
                step / len(data), win['loss'] / win['n'], lr, win['src'] / dt, win['trg'] / dt,
                dt / win['n']), flush=True)
            win = dict(loss=0.0, n=0, src=0, trg=0, t=time.time())
        if a.bench_steps:
            if steps_run >= a.bench_steps:
                dt = time.time() - t_start
                print('BENCH steps %d time %.1fs src_tok/s %.0f trg_tok/s %.0f' % (
                    steps_run, dt, tot['src'] / dt, tot['trg'] / dt), flush=True)
                return
            continue
        if time.time() - last_save > a.save_minutes * 60:
            save()
            last_save = time.time()
        if os.path.exists(os.path.join(a.run_dir, 'STOP')):
            print('STOP file found', flush=True)
            stop['flag'] = True
        if stop_time and datetime.datetime.utcnow() >= stop_time:
            print('stop time reached', flush=True)
            stop['flag'] = True
        if a.max_steps and step >= a.max_steps:
            stop['flag'] = True
        if stop['flag']:
            save()
            dt = time.time() - t_start
            print('DONE step %d session_time %.0fs src_tok/s %.0f trg_tok/s %.0f' % (
                step, dt, tot['src'] / dt, tot['trg'] / dt), flush=True)
            return


if __name__ == '__main__':
    main()
