"""Wrap a tiny checkpoint (from :mod:`oracle.tiny`) into a complete ModelScope CSANMT model folder.

A ModelScope translation folder needs, besides ``tf_ckpts/``: ``configuration.json`` with ``dataset`` (vocabulary
files) and ``preprocessor`` (languages, BPE code files) sections, the vocabularies and the BPE codes. This module
makes them from :data:`TRAINING_SENTENCES`, five sentences per language, so that the real text-to-text pipeline
(jieba or Moses tokenization, subword-nmt BPE, vocabulary lookup, beam search, detokenization) runs end to end on
random weights:

1. tokenize the five sentences as the pipeline does (``jieba.cut`` for zh; Moses punctuation normalizer +
   tokenizer with aggressive dash splitting otherwise), write them to ``train.<lang>``;
2. learn BPE codes on them with subword-nmt (80 merges, minimum frequency 1): ``bpe.<lang>``;
3. build a vocabulary of exactly ``VOCAB_SIZE`` (100) lines: ``</s>`` (id 0), the BPE units of the sentences by
   frequency (at most 98; ties in first-seen order), ``<dummyN>`` fillers, and ``<unk>`` last (id 99 =
   ``src_vocab_size - 1``, the id the pipeline gives to unknown units);
4. copy the checkpoint and write ``configuration.json`` = the tiny run's configuration plus ``dataset`` and
   ``preprocessor``.

The checkpoint's ``src_vocab_size`` and ``trg_vocab_size`` must equal the vocabulary size (the tiny model shares
one embedding for source, target and softmax).

usage: python -m oracle.tiny_folder SRC_LANG TGT_LANG OUT_DIR TINY_RUN_DIR      (e.g. zh en model/ run/)
"""
import argparse
import collections
import contextlib
import io
import json
import os
import shutil

VOCAB_SIZE = 100
BPE_MERGES = 80

TRAINING_SENTENCES = {
    'zh': ['声明补充说，沃伦的同事都深感震惊，并且希望他能够投案自首。',
           '阿里巴巴的使命是让天下没有难做的生意。',
           '北京是中国的首都。',
           '今天天气很好，我们去公园散步吧。',
           '机器翻译是自然语言处理的重要研究领域之一。'],
    'en': ['Elon Musk, co-founder and chief executive officer of Tesla Motors.',
           "Alibaba Group's mission is to let the world have no difficult business",
           'Beijing is the capital of China.',
           "The weather is nice today - let's walk.",
           'Machine translation is an important research area of NLP.'],
}


def tokenize(lang, sentence):
    """The pipeline's tokenization of one sentence (aggressive dash splitting, as for zh<->en)."""
    if lang == 'zh':
        import jieba
        jieba.setLogLevel(60)
        return ' '.join(jieba.cut(sentence))
    from sacremoses import MosesPunctNormalizer, MosesTokenizer
    return MosesTokenizer(lang=lang).tokenize(MosesPunctNormalizer(lang=lang).normalize(sentence),
                                              return_str=True, aggressive_dash_splits=True)


def learn_codes_and_vocabulary(lang, out_dir):
    """Write ``train.<lang>`` and ``bpe.<lang>`` to ``out_dir``; return the vocabulary (a list, id = index)."""
    from subword_nmt import apply_bpe, learn_bpe
    tokenized = [tokenize(lang, s) for s in TRAINING_SENTENCES[lang]]
    corpus = os.path.join(out_dir, 'train.%s' % lang)
    codes = os.path.join(out_dir, 'bpe.%s' % lang)
    with open(corpus, 'w', encoding='utf-8') as f:
        f.write('\n'.join(tokenized) + '\n')
    # learn_bpe reports progress and "no pair has frequency >= 1. Stopping" on stderr: not an error here.
    with open(corpus, encoding='utf-8') as fin, open(codes, 'w', encoding='utf-8') as fout, \
            contextlib.redirect_stderr(io.StringIO()):
        learn_bpe.learn_bpe(fin, fout, BPE_MERGES, min_frequency=1)
    with open(codes, encoding='utf-8') as f:
        bpe = apply_bpe.BPE(f)
    counts = collections.Counter(unit for line in tokenized for unit in bpe.process_line(line).split())
    units = ['</s>'] + [u for u, _ in counts.most_common(VOCAB_SIZE - 2)]
    fillers = ['<dummy%d>' % i for i in range(VOCAB_SIZE)]
    return (units + fillers)[:VOCAB_SIZE - 1] + ['<unk>']


def build_vocabularies(src_lang, tgt_lang, out_dir):
    """Codes and vocabularies of both languages (files in ``out_dir``); returns ``{'src': [...], 'trg': [...]}``."""
    os.makedirs(out_dir, exist_ok=True)
    vocab = {}
    for lang in (src_lang, tgt_lang):
        vocab[lang] = learn_codes_and_vocabulary(lang, out_dir)
    return {'src': vocab[src_lang], 'trg': vocab[tgt_lang]}


def build_model_folder(src_lang, tgt_lang, out_dir, tiny_run_dir):
    """Make ``out_dir`` a ModelScope model folder around ``tiny_run_dir``'s checkpoint; return its configuration."""
    ckpts = os.path.join(out_dir, 'tf_ckpts')
    os.makedirs(ckpts, exist_ok=True)
    for fn in os.listdir(os.path.join(tiny_run_dir, 'tf_ckpts')):
        shutil.copy(os.path.join(tiny_run_dir, 'tf_ckpts', fn), ckpts)
    vocab = build_vocabularies(src_lang, tgt_lang, out_dir)
    for side in ('src', 'trg'):
        with open(os.path.join(out_dir, '%s_vocab.txt' % side), 'w', encoding='utf-8') as f:
            f.write('\n'.join(vocab[side]) + '\n')
    with open(os.path.join(tiny_run_dir, 'configuration.json')) as f:
        cfg = json.load(f)
    cfg['dataset'] = {'src_vocab': {'file': 'src_vocab.txt'}, 'trg_vocab': {'file': 'trg_vocab.txt'}}
    cfg['preprocessor'] = {'src_lang': src_lang, 'tgt_lang': tgt_lang,
                           'src_bpe': {'file': 'bpe.' + src_lang}, 'tgt_bpe': {'file': 'bpe.' + tgt_lang}}
    with open(os.path.join(out_dir, 'configuration.json'), 'w', encoding='utf-8') as f:
        json.dump(cfg, f, indent=2, ensure_ascii=False)
    return cfg


def main(argv=None):
    ap = argparse.ArgumentParser(prog='python -m oracle.tiny_folder', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('src_lang', metavar='SRC_LANG', choices=sorted(TRAINING_SENTENCES))
    ap.add_argument('tgt_lang', metavar='TGT_LANG', choices=sorted(TRAINING_SENTENCES))
    ap.add_argument('out_dir', metavar='OUT_DIR', help='model folder to write')
    ap.add_argument('tiny_run_dir', metavar='TINY_RUN_DIR', help='folder written by python -m oracle.tiny')
    a = ap.parse_args(argv)
    cfg = build_model_folder(a.src_lang, a.tgt_lang, a.out_dir, a.tiny_run_dir)
    print('built', a.out_dir, '(%s -> %s, vocab size %d)' % (a.src_lang, a.tgt_lang, VOCAB_SIZE))
    if cfg['model'].get('src_vocab_size') != VOCAB_SIZE or cfg['model'].get('trg_vocab_size') != VOCAB_SIZE:
        print('WARNING: the checkpoint was not built with vocab size %d' % VOCAB_SIZE)


if __name__ == '__main__':
    main()
