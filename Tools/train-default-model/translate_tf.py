#!/usr/bin/env python3
"""Translate zh lines (stdin -> stdout, one per line) with ModelScope's TF
CSANMT code on a ModelScope model folder, using the TranslationPipeline's
exact pre/postprocessing (copied from translation_pipeline.py, as in
../shared/reference/oracle_dump.py) and beam search from configuration.json.

Sentences are sorted by length and decoded in batches (--batch); batched and
single-sentence decoding give the same beam-0 output (csanmt-spec §1.8).

  python translate_tf.py --model /work/scratch/train/export/csanmt-zh2en-small < in.zh > out.en
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
os.environ.setdefault('TMPDIR', '/work/scratch/tmp')
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1
tf1.disable_eager_execution()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', default='/work/scratch/train/export/csanmt-zh2en-small')
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--beam', type=int, default=None)
    a = ap.parse_args()
    # CsanmtForTranslation.__init__ prints its params to stdout: keep stdout
    # for translations only
    out_stream = sys.stdout
    sys.stdout = sys.stderr

    import jieba
    jieba.setLogLevel(60)
    from sacremoses import MosesDetokenizer
    from subword_nmt import apply_bpe
    from modelscope.models.nlp.csanmt.translation import CsanmtForTranslation

    d = a.model
    cfg = json.load(open(osp.join(d, 'configuration.json'), encoding='utf-8'))
    params = dict(cfg['model'])
    params.pop('type', None)
    params['device'] = 'cpu'
    if a.beam:
        params['beam_size'] = a.beam
    assert cfg['preprocessor']['src_lang'] == 'zh'
    src_vocab = dict((w.strip(), i) for i, w in enumerate(
        open(osp.join(d, cfg['dataset']['src_vocab']['file']), encoding='utf-8')))
    trg_rvocab = dict((i, w.strip()) for i, w in enumerate(
        open(osp.join(d, cfg['dataset']['trg_vocab']['file']), encoding='utf-8')))
    bpe = apply_bpe.BPE(open(osp.join(d, cfg['preprocessor']['src_bpe']['file']),
                             encoding='utf-8'))
    detok = MosesDetokenizer(lang=cfg['preprocessor']['tgt_lang'])
    unk = params['src_vocab_size'] - 1

    lines = [l.rstrip('\n') for l in sys.stdin]
    pieces = [bpe.process_line(' '.join(jieba.cut(s))).strip().split() for s in lines]
    ids = [[src_vocab.get(w, unk) for w in p] for p in pieces]

    g = tf1.Graph()
    with g.as_default():
        model = CsanmtForTranslation(d, **params)
        inp = tf1.placeholder(tf.int64, [None, None], name='input_wids')
        out = model(inp)
        conf = tf1.ConfigProto(intra_op_parallelism_threads=a.threads,
                               inter_op_parallelism_threads=1)
        sess = tf1.Session(graph=g, config=conf)
        tf1.train.Saver(tf1.global_variables()).restore(
            sess, osp.join(d, 'tf_ckpts', 'ckpt-0'))

    results = [''] * len(lines)
    order = sorted((i for i in range(len(lines)) if ids[i]), key=lambda i: len(ids[i]))
    t0 = time.time()
    for b in range(0, len(order), a.batch):
        idx = order[b:b + a.batch]
        L = max(len(ids[i]) for i in idx)
        x = np.array([ids[i] + [0] * (L - len(ids[i])) for i in idx], dtype=np.int64)
        seqs = sess.run(out['output_seqs'], {inp: x})
        for r, i in enumerate(idx):
            wids = list(seqs[r][0]) + [0]
            wids = wids[:wids.index(0)]
            t = ' '.join(trg_rvocab.get(w, '<unk>') for w in wids)
            t = t.replace('@@ ', '').replace('@@', '')
            results[i] = detok.detokenize(t.split())
    sys.stderr.write('translated %d lines in %.1fs\n' % (len(lines), time.time() - t0))
    for t in results:
        out_stream.write(t + '\n')
    out_stream.flush()


if __name__ == '__main__':
    main()
