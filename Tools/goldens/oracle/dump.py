"""Translate with ModelScope's CSANMT on any ModelScope model folder and record every step (no modelscope.pipelines).

For a folder with ``configuration.json``, vocabularies, BPE codes and ``tf_ckpts/ckpt-0`` (a released model, the
folder ``Tools/train-default-model/rebuild_modelscope_folder.py`` rebuilds from ``Weights/``, or a tiny one from
:mod:`oracle.tiny_folder`), :func:`translate` does what ``modelscope.pipelines``' ``TranslationPipeline`` does, step
for step, without importing the pipelines package (which imports torch):

* preprocess: split the text on ``<SENT_SPLIT>``; tokenize each sentence (zh: ``' '.join(jieba.cut(s))``; other
  languages: Moses punctuation normalizer then Moses tokenizer, ``return_str=True``, aggressive dash splitting
  except between en and es/fr); subword-nmt BPE with the source codes, ``.strip().split()``; ids from the source
  vocabulary, unknown units -> ``src_vocab_size - 1``; pad with 0 to the longest sentence;
* forward: ModelScope's ``CsanmtForTranslation`` built from the ``model`` section (``beam_size`` can be changed),
  variables restored with ``Saver(tf.global_variables())``, beam search;
* postprocess: beam 0 of each sentence cut at its first 0, target vocabulary (``<unk>`` when out of range),
  ``' '.join``, ``@@ `` and ``@@`` removed, Moses detokenizer of the target language, sentences joined with
  ``<SENT_SPLIT>``.

It also teacher-forces the best hypothesis through the decoder (see :func:`oracle.tfv1.teacher_forced_probes`) and
keeps the encoder output, the semantic vector and the top-5 log-probs at each position.

The command line writes the arrays to OUT.npz (``input_ids``, ``output_seqs``, ``output_scores``,
``encoder_output``, ``semantic_vector``, ``tf_top5_ids``, ``tf_top5_logprobs``) and prints one JSON line last:
``tokens``, ``bpe``, ``input_ids``, ``output_seqs_beam0``, ``output_scores``, ``translation``.

usage: python -m oracle.dump MODEL_DIR "text<SENT_SPLIT>text2" OUT.npz [--beam N]
"""
import argparse
import json

import os
import sys

if __package__ in (None, ''):   # run as a file (python Tools/goldens/oracle/X.py): make the package importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np

from oracle import SENT_SPLIT
from oracle.tfv1 import csanmt, teacher_forced_probes, tf_v1


def read_configuration(model_dir):
    with open(os.path.join(model_dir, 'configuration.json'), encoding='utf-8') as f:
        return json.load(f)


class Preprocessor:
    """The pipeline's text -> ids and ids -> text for one model folder."""

    def __init__(self, model_dir, cfg=None):
        from sacremoses import MosesDetokenizer, MosesPunctNormalizer, MosesTokenizer
        from subword_nmt import apply_bpe
        cfg = cfg or read_configuration(model_dir)
        self.src_lang = cfg['preprocessor']['src_lang']
        self.tgt_lang = cfg['preprocessor']['tgt_lang']
        self.unk_id = cfg['model']['src_vocab_size'] - 1
        with open(os.path.join(model_dir, cfg['dataset']['src_vocab']['file']), encoding='utf-8') as f:
            self.src_vocab = {w.strip(): i for i, w in enumerate(f)}
        with open(os.path.join(model_dir, cfg['dataset']['trg_vocab']['file']), encoding='utf-8') as f:
            self.trg_words = {i: w.strip() for i, w in enumerate(f)}
        with open(os.path.join(model_dir, cfg['preprocessor']['src_bpe']['file']), encoding='utf-8') as f:
            self.bpe = apply_bpe.BPE(f)
        if self.src_lang != 'zh':
            self.normalizer = MosesPunctNormalizer(lang=self.src_lang)
            self.tokenizer = MosesTokenizer(lang=self.src_lang)
        self.aggressive_dash_splits = not ((self.src_lang in ('es', 'fr') and self.tgt_lang == 'en') or
                                           (self.src_lang == 'en' and self.tgt_lang in ('es', 'fr')))
        self.detokenizer = MosesDetokenizer(lang=self.tgt_lang)

    def tokenize(self, sentence):
        if self.src_lang == 'zh':
            import jieba
            return ' '.join(jieba.cut(sentence))
        return self.tokenizer.tokenize(self.normalizer.normalize(sentence), return_str=True,
                                       aggressive_dash_splits=self.aggressive_dash_splits)

    def encode(self, text):
        """``(tokens per sentence, BPE units per sentence, padded ids [B, L] int64)``."""
        tokens = [self.tokenize(s) for s in text.split(SENT_SPLIT)]
        units = [self.bpe.process_line(t).strip().split() for t in tokens]
        width = max(len(u) for u in units)
        ids = np.array([[self.src_vocab.get(u, self.unk_id) for u in row] + [0] * (width - len(row))
                        for row in units], dtype=np.int64)
        return tokens, units, ids

    def decode(self, output_seqs):
        """The pipeline's text from ``output_seqs`` ``[B, beam, T]`` (beam 0 of each sentence)."""
        texts = []
        for row in output_seqs:
            ids = list(row[0]) + [0]
            ids = ids[:ids.index(0)]
            joined = ' '.join(self.trg_words.get(i, '<unk>') for i in ids).replace('@@ ', '').replace('@@', '')
            texts.append(self.detokenizer.detokenize(joined.split()))
        return SENT_SPLIT.join(texts)


def translate(model_dir, text, beam=None):
    """Run preprocess, beam search, probes and postprocess; return ``(summary dict, arrays dict)`` (see module doc)."""
    tf, tf1 = tf_v1()
    cfg = read_configuration(model_dir)
    params = dict(cfg['model'])
    params.pop('type', None)
    params['device'] = 'cpu'
    if beam is not None:
        params['beam_size'] = beam
    pre = Preprocessor(model_dir, cfg)
    tokens, units, input_ids = pre.encode(text)

    g = tf1.Graph()
    with g.as_default():
        model = csanmt().CsanmtForTranslation(model_dir, **params)
        inp = tf1.placeholder(tf.int64, [None, None], name='input_wids')
        out = model(inp)
        trg, probes = teacher_forced_probes(model, inp, params)
        with tf1.Session(graph=g) as sess:
            tf1.train.Saver(tf1.global_variables()).restore(sess, os.path.join(model_dir, 'tf_ckpts', 'ckpt-0'))
            beams = sess.run(out, {inp: input_ids})
            best = beams['output_seqs'][:, 0, :]
            # teacher-force the best hypothesis (its EOS included)
            probed = sess.run({k: probes[k] for k in ('encoder_output', 'semantic_vector',
                                                       'teacher_forced_logprobs')}, {inp: input_ids, trg: best})

    logprobs = probed.pop('teacher_forced_logprobs')
    top5 = np.argsort(-logprobs, -1)[..., :5]
    arrays = dict(input_ids=input_ids, output_seqs=beams['output_seqs'], output_scores=beams['output_scores'],
                  tf_top5_ids=top5, tf_top5_logprobs=np.take_along_axis(logprobs, top5, -1), **probed)
    summary = {'tokens': tokens, 'bpe': units, 'input_ids': input_ids.tolist(), 'output_seqs_beam0': best.tolist(),
               'output_scores': beams['output_scores'].tolist(), 'translation': pre.decode(beams['output_seqs'])}
    return summary, arrays


def main(argv=None):
    ap = argparse.ArgumentParser(prog='python -m oracle.dump', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('model_dir', metavar='MODEL_DIR', help='ModelScope CSANMT folder (configuration.json, tf_ckpts/)')
    ap.add_argument('text', metavar='TEXT', help='input text; sentences separated by %s form one batch' % SENT_SPLIT)
    ap.add_argument('out_npz', metavar='OUT.npz', help='where to write the arrays')
    ap.add_argument('--beam', type=int, default=None, help='beam size (default: the configuration\'s beam_size)')
    a = ap.parse_args(argv)
    summary, arrays = translate(a.model_dir, a.text, a.beam)
    np.savez(a.out_npz, **arrays)
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == '__main__':
    main()
