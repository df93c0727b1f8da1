#!/usr/bin/env python3
"""Data preparation for the small CSANMT default models (zh->en, and en->zh with --direction en2zh).

Reads the training TSVs under ../shared/data/train (never ../shared/data/test),
cleans and filters them, preprocesses EXACTLY like ModelScope's
TranslationPipeline (jieba for zh; Moses punct-normalize + tokenize with
escaping and aggressive dash splits for en), learns subword-nmt BPE codes
(version 0.2, separate for zh and en), applies them and writes a joint
vocabulary used for both src_vocab.txt and trg_vocab.txt.

usage:
  python prepare_data.py [--data /work/shared/data] [--out /work/scratch/train/data]
                         [--zh-merges 8000] [--en-merges 8000] [--min-count 2] [--direction zh2en|en2zh]

--direction en2zh writes the same pairs, BPE codes and joint vocabulary with the sides of train.ids.npz
swapped (source = en, target = zh); stats.json records the direction for export.py.

Outputs in --out:
  bpe.zh, bpe.en             subword-nmt codes (#version: 0.2)
  src_vocab.txt, trg_vocab.txt  identical joint vocab: line 0 '</s>', last line '<unk>'
  train.tok.{zh,en}          cleaned, deduplicated, word-tokenised pairs (no upsampling)
  train.bpe.{zh,en}          BPE-applied, upsampled, shuffled training pairs
  train.ids.npz              int32 id arrays (ragged, concatenated + offsets) for train.py
  stats.json                 counts per corpus before/after each filter
"""
import argparse
import collections
import html
import io
import json
import os
import random
import re
import sys
import time
import unicodedata

import numpy as np

os.environ.setdefault('TMPDIR', '/work/scratch/tmp')

# corpus name -> (relative path, upsampling weight)
CORPORA = [
    ('tatoeba', 'train/tatoeba/cmn-eng.union.simplified.minus_holdout.tsv', 3),
    ('hsk', 'train/hsk_sentences/hsk_sentences.zh-en.tsv', 3),
    ('ddtp', 'train/debian_ddtp/ddtp.zh_CN-en.tsv', 1),
    ('lo_help', 'train/libreoffice/lo74_help.zh_CN-en.tsv', 1),
    ('lo_ui', 'train/libreoffice/lo74_ui.zh_CN-en.tsv', 1),
    ('gettext', 'train/gettext_debian/installed_zh_CN_mo.zh-en.tsv', 1),
]

# test sets whose source/target sentences must never appear in training
TEST_FILES = [
    'test/tatoeba_holdout/tatoeba_holdout1000.zh',
    'test/tatoeba_holdout/tatoeba_holdout1000.en',
    'test/flores200/flores200.devtest.zho_Hans-eng_Latn.zh',
    'test/flores200/flores200.devtest.zho_Hans-eng_Latn.en',
    'test/flores200/flores200.dev.zho_Hans-eng_Latn.zh',
    'test/flores200/flores200.dev.zho_Hans-eng_Latn.en',
    'test/wmt/newstest2020.zh-en.zh',
    'test/wmt/newstest2020.zh-en.en',
]

HAN = re.compile(r'[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]')
LATIN = re.compile(r'[A-Za-z]')
TAG = re.compile(r'</?[A-Za-z][A-Za-z0-9:_-]*(\s[^<>]*)?/?>')
# printf-style: %s %d %1$s %.*s %-10s %lu %'d %(name)s ; also %%
PRINTF = re.compile(r"%(\([A-Za-z_][A-Za-z0-9_]*\))?(\d+\$)?[-+#0']*(\*|\d+)?(\.(\*|\d+))?"
                    r"(hh|h|ll|l|L|q|j|z|Z|t|I64|I32|I)?[diouxXeEfFgGaAcspnm]")
PYFMT = re.compile(r'\{[A-Za-z0-9_]*(![rsa])?(:[^{}]*)?\}')
LO_VAR = re.compile(r'%[A-Z][A-Z0-9_]+%?|\$\([A-Z][A-Z0-9_]*\)|\$[A-Z][A-Z0-9_]+\$?|#[0-9]+')
SHELL_VAR = re.compile(r'\$\{?[A-Za-z_][A-Za-z0-9_]*\}?')
# accelerators
ACC_ZH = re.compile(r'[(（]\s*[_&~][A-Za-z0-9]\s*[)）]')
ACC_US = re.compile(r'(?<![A-Za-z0-9_])_(?=[A-Za-z0-9])')
ACC_AMP = re.compile(r'(?<![A-Za-z0-9&])&(?=[A-Za-z0-9])(?![A-Za-z]+;)')
ACC_TILDE = re.compile(r'~(?=\w)')
SPACES = re.compile(r'\s+')


def clean_side(s, zh):
    s = s.replace('\\n', ' ').replace('\\t', ' ').replace('\\"', '"')
    s = html.unescape(s)
    s = TAG.sub(' ', s)
    s = s.replace('%PRODUCTNAME', 'LibreOffice').replace('%PRODUCTVERSION', '')
    s = ACC_ZH.sub('', s)
    s = ACC_TILDE.sub('', s)
    s = ACC_US.sub('', s)
    s = ACC_AMP.sub('', s)
    s = PRINTF.sub(' ', s)
    s = s.replace('%%', '%')
    s = PYFMT.sub(' ', s)
    s = LO_VAR.sub(' ', s)
    s = SHELL_VAR.sub(' ', s)
    s = ''.join(c for c in s if unicodedata.category(c)[0] != 'C' or c == ' ')
    s = re.sub(r'(["“「‘])\s*(["”」’])', ' ', s)
    s = SPACES.sub(' ', s).strip()
    # '...' left dangling after removing an accelerator: 'Delete...' fine.
    # remove spaces that removal created before CJK punctuation
    if zh:
        s = re.sub(r' +([，。！？；：、）」』”])', r'\1', s)
    s = re.sub(r' +([,.!?;:)])', r'\1', s)
    s = re.sub(r'\( *\)', '', s).strip()
    return s


def text_ratio(s, zh):
    """fraction of non-space characters that are letters (Han for zh side)."""
    chars = [c for c in s if not c.isspace()]
    if not chars:
        return 0.0
    if zh:
        good = sum(1 for c in chars if HAN.match(c) or c.isalpha())
    else:
        good = sum(1 for c in chars if c.isalpha())
    return good / len(chars)


def load_tsv(path):
    with open(path, encoding='utf-8') as f:
        for line in f:
            cols = line.rstrip('\n').split('\t')
            if len(cols) >= 2:
                yield cols[0], cols[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='/work/shared/data')
    ap.add_argument('--out', default='/work/scratch/train/data')
    ap.add_argument('--zh-merges', type=int, default=8000)
    ap.add_argument('--en-merges', type=int, default=8000)
    ap.add_argument('--min-count', type=int, default=2,
                    help='BPE tokens seen fewer times go to <unk>')
    ap.add_argument('--max-bpe-len', type=int, default=80)
    ap.add_argument('--seed', type=int, default=1234)
    ap.add_argument('--direction', choices=['zh2en', 'en2zh'], default='zh2en',
                    help='which side is the source in train.ids.npz (BPE codes and vocabulary are the same)')
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    t0 = time.time()

    import jieba
    jieba.setLogLevel(60)
    from sacremoses import MosesPunctNormalizer, MosesTokenizer
    punct = MosesPunctNormalizer(lang='en')
    tok = MosesTokenizer(lang='en')

    def prep_zh(s):  # translation_pipeline.py: ' '.join(jieba.cut(s))
        return ' '.join(jieba.cut(s))

    def prep_en(s):  # translation_pipeline.py (src_lang en branch)
        return tok.tokenize(punct.normalize(s), return_str=True,
                            aggressive_dash_splits=True)

    test_lines = set()
    for rel in TEST_FILES:
        p = os.path.join(args.data, rel)
        if os.path.exists(p):
            with open(p, encoding='utf-8') as f:
                test_lines.update(l.strip() for l in f if l.strip())

    stats = collections.OrderedDict()
    seen = set()
    kept = []  # (corpus, zh_tok, en_tok)
    for name, rel, weight in CORPORA:
        st = collections.OrderedDict(raw=0, empty_or_untranslated=0, nontext=0,
                                     option_line=0, length=0, ratio=0,
                                     test_overlap=0, duplicate=0, kept=0,
                                     weight=weight)
        for zh, en in load_tsv(os.path.join(args.data, rel)):
            st['raw'] += 1
            if zh.strip() in test_lines or en.strip() in test_lines:
                st['test_overlap'] += 1
                continue
            if re.match(r'^\s*-', en) or re.search(r'(^|\s)--[a-z]', en):
                st['option_line'] += 1
                continue
            zc, ec = clean_side(zh, True), clean_side(en, False)
            if not zc or not ec or not HAN.search(zc) or zc == ec:
                st['empty_or_untranslated'] += 1
                continue
            if text_ratio(zc, True) < 0.5 or text_ratio(ec, False) < 0.5 \
                    or not LATIN.search(ec):
                st['nontext'] += 1
                continue
            zt, et = prep_zh(zc), prep_en(ec)
            nz, ne = len(zt.split()), len(et.split())
            nzc = len(zc)
            if nz > 100 or ne > 100 or nzc > 200 or ne < 1:
                st['length'] += 1
                continue
            # length ratio on characters: en chars per zh char ~ 1..6 typically
            r = (len(ec) + 10) / (nzc + 5)
            if r < 0.6 or r > 7.0 or max(nz, ne) > 3 * min(nz, ne) + 5:
                st['ratio'] += 1
                continue
            key = (zt, et)
            if key in seen:
                st['duplicate'] += 1
                continue
            seen.add(key)
            kept.append((name, zt, et))
            st['kept'] += 1
        stats[name] = st
        print(name, dict(st), '%.0fs' % (time.time() - t0), flush=True)

    tokzh = os.path.join(args.out, 'train.tok.zh')
    token = os.path.join(args.out, 'train.tok.en')
    with open(tokzh, 'w', encoding='utf-8') as fz, open(token, 'w', encoding='utf-8') as fe:
        for _, z, e in kept:
            fz.write(z + '\n')
            fe.write(e + '\n')

    # ---- BPE (subword-nmt, version 0.2 codes) learned on deduplicated data
    from subword_nmt.learn_bpe import learn_bpe
    from subword_nmt.apply_bpe import BPE
    for lang, n in (('zh', args.zh_merges), ('en', args.en_merges)):
        with open(os.path.join(args.out, 'train.tok.' + lang), encoding='utf-8') as fin, \
                open(os.path.join(args.out, 'bpe.' + lang), 'w', encoding='utf-8') as fout:
            learn_bpe(fin, fout, n, min_frequency=2, verbose=False, total_symbols=False)
        print('learned bpe.%s (%d merges) %.0fs' % (lang, n, time.time() - t0), flush=True)

    bpe_zh = BPE(io.open(os.path.join(args.out, 'bpe.zh'), encoding='utf-8'))
    bpe_en = BPE(io.open(os.path.join(args.out, 'bpe.en'), encoding='utf-8'))
    weights = {n: w for n, _, w in CORPORA}
    pairs = []
    counts = collections.Counter()
    for name, z, e in kept:
        bz = bpe_zh.process_line(z).strip().split()
        be = bpe_en.process_line(e).strip().split()
        if len(bz) > args.max_bpe_len or len(be) > args.max_bpe_len:
            stats[name]['length'] += 1
            stats[name]['kept'] -= 1
            continue
        counts.update(bz)
        counts.update(be)
        for _ in range(weights[name]):
            pairs.append((bz, be))
    print('bpe applied %.0fs' % (time.time() - t0), flush=True)

    # ---- joint vocabulary: '</s>' id 0, tokens by frequency, '<unk>' last
    toks = [t for t, c in sorted(counts.items(), key=lambda x: (-x[1], x[0]))
            if c >= args.min_count and t not in ('</s>', '<unk>')]
    vocab = ['</s>'] + toks + ['<unk>']
    for fn in ('src_vocab.txt', 'trg_vocab.txt'):
        with open(os.path.join(args.out, fn), 'w', encoding='utf-8') as f:
            f.write('\n'.join(vocab) + '\n')
    V = len(vocab)
    unk = V - 1
    ids = {t: i for i, t in enumerate(vocab)}

    rnd = random.Random(args.seed)
    rnd.shuffle(pairs)
    src_ids, trg_ids = [], []
    n_unk = 0
    with open(os.path.join(args.out, 'train.bpe.zh'), 'w', encoding='utf-8') as fz, \
            open(os.path.join(args.out, 'train.bpe.en'), 'w', encoding='utf-8') as fe:
        for bz, be in pairs:
            fz.write(' '.join(bz) + '\n')
            fe.write(' '.join(be) + '\n')
            s = [ids.get(t, unk) for t in bz]
            t = [ids.get(t, unk) for t in be]
            n_unk += s.count(unk) + t.count(unk)
            src_ids.append(s)
            trg_ids.append(t)

    def pack(seqs):
        lens = np.array([len(s) for s in seqs], dtype=np.int32)
        flat = np.fromiter((i for s in seqs for i in s), dtype=np.int32,
                           count=int(lens.sum()))
        return flat, lens
    if args.direction == 'en2zh':
        src_ids, trg_ids = trg_ids, src_ids
    sf, sl = pack(src_ids)
    tf_, tl = pack(trg_ids)
    np.savez(os.path.join(args.out, 'train.ids.npz'), src=sf, src_len=sl,
             trg=tf_, trg_len=tl, vocab_size=np.int32(V))

    summary = dict(
        direction=args.direction,
        corpora=stats,
        unique_pairs=sum(s['kept'] for s in stats.values()),
        training_pairs_after_upsampling=len(pairs),
        src_bpe_tokens=int(sl.sum()), trg_bpe_tokens=int(tl.sum()),
        vocab_size=V, unk_tokens=n_unk,
        zh_merges=args.zh_merges, en_merges=args.en_merges,
        min_count=args.min_count, seconds=round(time.time() - t0, 1))
    with open(os.path.join(args.out, 'stats.json'), 'w') as f:
        json.dump(summary, f, indent=1)
    print(json.dumps({k: v for k, v in summary.items() if k != 'corpora'}, indent=1))


if __name__ == '__main__':
    main()
