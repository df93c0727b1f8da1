#!/usr/bin/env python3
"""Generate the subword-nmt BPE golden fixtures (Tests/Fixtures/tokenizer/bpe/).

Reference: subword-nmt 0.3.8 ``apply_bpe.BPE`` used exactly as ModelScope's CSANMT pipeline uses it:

    bpe = BPE(open(codes_path))            # separator '@@', all merges, no vocab/glossaries/dropout
    pieces = bpe.process_line(line).strip().split()

Steps (deterministic, same bytes on a rerun):
  1. Training text: seeded slices of the training TSVs under <data>/train. English column:
     sacremoses MosesPunctNormalizer + MosesTokenizer(aggressive_dash_splits=True) (the pipeline's en
     preprocessing); Chinese column: ``' '.join(jieba.cut(x))`` (jieba 0.42.1, the pipeline's zh preprocessing).
  2. ``subword_nmt.learn_bpe.learn_bpe(..., num_symbols=--merges)`` on each -> codes.en / codes.zh
     (``#version: 0.2``). codes.en.v01 is codes.en without its header line, which subword-nmt reads as a
     version 0.1 file (``</w>`` as a separate final symbol).
  3. Apply to held-out test text (FLORES-200 devtest, WMT) and write JSON lines.

<data> is the shared data folder, ../shared/data beside the clone by default (--data DIR otherwise). Run from the
repository root with the oracle venv (set-up: Tools/goldens/README.md):

    python Tools/goldens/make_bpe_goldens.py
"""
import argparse
import io
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import SETUP_LINES  # noqa: E402  (the venv set-up lines shown in the README)

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
DEFAULT_DATA = os.path.normpath(os.path.join(REPO_ROOT, '..', 'shared', 'data'))
FIXTURE_DIR = os.path.join(REPO_ROOT, 'Tests', 'Fixtures', 'tokenizer', 'bpe')

TRAIN_SLICES = [  # (file, seed, rows)
    ('train/tatoeba/cmn-eng.union.simplified.minus_holdout.tsv', 21, 8000),
    ('train/libreoffice/lo74_help.zh_CN-en.tsv', 22, 6000),
    ('train/libreoffice/lo74_ui.zh_CN-en.tsv', 23, 3000),
    ('train/gettext_debian/installed_zh_CN_mo.zh-en.tsv', 24, 3000),
    ('train/debian_ddtp/ddtp.zh_CN-en.tsv', 25, 1500),
    ('train/hsk_sentences/hsk_sentences.zh-en.tsv', 26, 1500),
]

# Lines that exercise process_line's edge handling (leading/trailing "\r\n ", double spaces, other whitespace
# inside words, one-code-point words, a literal "</w>", combining marks, astral characters).
EDGE_LINES_EN = [
    '', ' ', '\n', '\r\n', '  \r\n', 'a', ' a', 'a ', 'the', ' the  cat \n', '\r\nthe cat\r\n',
    'the  cat   sat', 'tab\tinside word', 'x y z', 'élan vital', 'e\u0301lan', 'the</w> cat', '</w>',
    'non @-@ diabetic', '&quot; hello &quot;', 'I &apos;m', '\U0001F600 smile', 'aaaaaa', 'ssssss sss',
    'the\u00a0cat', 'the\u3000cat', 'naïve café', '12,345.67', 'www.example.com/path',
]
EDGE_LINES_ZH = [
    '', ' ', '你', '你好', ' 你好  世界 \n', '你好\t世界', '\u3000', '今天 天气 很 好 。', '𠮷 野家',
    '中文 English 混合', '１２３ ４５６',
]


def read_lines(path):
    with open(path, encoding='utf-8', newline='') as f:
        return [l[:-1] if l.endswith('\n') else l for l in f]


def tsv_rows(path):
    rows = []
    for line in read_lines(path):
        fields = line.split('\t')
        if len(fields) >= 2 and fields[0].strip() and fields[1].strip():
            rows.append((fields[0], fields[1]))
    return rows


def sample(rows, count, seed):
    rng = random.Random(seed)
    if len(rows) <= count:
        return list(rows)
    return [rows[i] for i in sorted(rng.sample(range(len(rows)), count))]


def write_jsonl(path, rows):
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, separators=(',', ':')) + '\n')
    print('wrote %s (%d lines, %d bytes)' % (os.path.relpath(path, REPO_ROOT), len(rows), os.path.getsize(path)),
          file=sys.stderr)


def apply_rows(bpe, lines, tag):
    rows = []
    for line in lines:
        processed = bpe.process_line(line)
        pieces = processed.strip().split()
        row = {'set': tag, 'line': line, 'pieces': pieces}
        if processed != ' '.join(pieces):
            row['processed'] = processed  # only stored when it differs from ' '.join(pieces)
        rows.append(row)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--data', default=DEFAULT_DATA, help='shared data folder (default: %(default)s)')
    parser.add_argument('--merges', type=int, default=4000, help='BPE merges to learn (default: %(default)s)')
    args = parser.parse_args()

    os.environ.setdefault('TQDM_DISABLE', '1')  # learn_bpe's progress bar
    from sacremoses import MosesPunctNormalizer, MosesTokenizer
    from subword_nmt.learn_bpe import learn_bpe
    from subword_nmt.apply_bpe import BPE
    import jieba
    jieba.setLogLevel(60)

    normalizer = MosesPunctNormalizer(lang='en')
    tokenizer = MosesTokenizer(lang='en')

    def moses(x):
        return tokenizer.tokenize(normalizer.normalize(x), return_str=True, aggressive_dash_splits=True)

    def segment_zh(x):
        return ' '.join(jieba.cut(x))

    os.makedirs(FIXTURE_DIR, exist_ok=True)

    # 1-2. Learn codes.
    train_en, train_zh = [], []
    for rel, seed, count in TRAIN_SLICES:
        for zh, en in sample(tsv_rows(os.path.join(args.data, rel)), count, seed):
            train_en.append(moses(en))
            train_zh.append(segment_zh(zh))
    codes = {}
    for lang, lines in (('en', train_en), ('zh', train_zh)):
        out = io.StringIO()
        learn_bpe(io.StringIO('\n'.join(lines) + '\n'), out, args.merges)
        codes[lang] = out.getvalue()
        path = os.path.join(FIXTURE_DIR, 'codes.' + lang)
        with open(path, 'w', encoding='utf-8', newline='\n') as f:
            f.write(codes[lang])
        print('wrote %s (%d bytes, from %d lines)' % (os.path.relpath(path, REPO_ROOT), os.path.getsize(path),
                                                     len(lines)), file=sys.stderr)
    v01 = codes['en'].split('\n', 1)[1]
    with open(os.path.join(FIXTURE_DIR, 'codes.en.v01'), 'w', encoding='utf-8', newline='\n') as f:
        f.write(v01)

    def load(name, **kwargs):
        with open(os.path.join(FIXTURE_DIR, name), encoding='utf-8') as f:  # text mode, as the pipeline
            return BPE(f, **kwargs)

    # 3. Apply.
    data = args.data
    en_test = [('flores200.devtest', moses(l)) for l in read_lines(os.path.join(
        data, 'test/flores200/flores200.devtest.zho_Hans-eng_Latn.en'))][:800]
    en_test += [('newstest2020.en-zh', moses(l)) for l in sample(read_lines(os.path.join(
        data, 'test/wmt/newstest2020.en-zh.en')), 200, 31)]
    zh_test = [('flores200.devtest', segment_zh(l)) for l in sample(read_lines(os.path.join(
        data, 'test/flores200/flores200.devtest.zho_Hans-eng_Latn.zh')), 450, 32)]
    zh_test += [('newstest2019.zh-en', segment_zh(l)) for l in sample(read_lines(os.path.join(
        data, 'test/wmt/newstest2019.zh-en.zh')), 150, 33)]

    bpe_en, bpe_zh = load('codes.en'), load('codes.zh')
    rows = []
    for tag, line in en_test:
        rows += apply_rows(bpe_en, [line], tag)
    rows += apply_rows(bpe_en, EDGE_LINES_EN, 'edge')
    write_jsonl(os.path.join(FIXTURE_DIR, 'en.jsonl'), rows)

    rows = []
    for tag, line in zh_test:
        rows += apply_rows(bpe_zh, [line], tag)
    rows += apply_rows(bpe_zh, EDGE_LINES_ZH, 'edge')
    write_jsonl(os.path.join(FIXTURE_DIR, 'zh.jsonl'), rows)

    bpe_v01 = load('codes.en.v01')
    bpe_500 = load('codes.en', merges=500)
    rows = []
    for tag, line in en_test[:250]:
        rows += apply_rows(bpe_v01, [line], 'v01:' + tag)
    rows += apply_rows(bpe_v01, EDGE_LINES_EN, 'v01:edge')
    for tag, line in en_test[250:450]:
        rows += apply_rows(bpe_500, [line], 'merges500:' + tag)
    write_jsonl(os.path.join(FIXTURE_DIR, 'variants.jsonl'), rows)

    readme = """# BPE golden fixtures

Made by `Tools/goldens/make_bpe_goldens.py` with subword-nmt 0.3.8 (plus sacremoses 0.2.0 and jieba 0.42.1 for
the pipeline's preprocessing) from the text of the shared data folder (see its `PROVENANCE.md` for origins and
licenses). Do not edit by hand: regenerate.

## Regenerate

From the repository root; the text is read from `../shared/data` beside the clone by default (`--data DIR`
otherwise):

```bash
""" + SETUP_LINES + """
python Tools/goldens/make_bpe_goldens.py      # --merges N (default 4000)
```

## Files

| file | content |
|---|---|
| `codes.en` | `learn_bpe(num_symbols=4000)` (`#version: 0.2`) on ~23k Moses-tokenized English lines (normalize + tokenize, `aggressive_dash_splits=True`) from seeded slices of the Tatoeba, LibreOffice help/UI, Debian gettext, DDTP and HSK training TSVs |
| `codes.zh` | the same on the Chinese columns segmented with `' '.join(jieba.cut(x))` |
| `codes.en.v01` | `codes.en` without its header line: subword-nmt reads it as a version 0.1 file |
| `en.jsonl` | `BPE(open('codes.en'))` on Moses-tokenized English test lines (FLORES-200 devtest, WMT20 en-zh) and edge lines |
| `zh.jsonl` | `BPE(open('codes.zh'))` on `' '.join(jieba.cut(x))` of Chinese test lines (FLORES-200 devtest, WMT19 zh-en) and edge lines |
| `variants.jsonl` | `set` `v01:*` with `codes.en.v01`; `merges500:*` with `BPE(open('codes.en'), merges=500)` |

JSON-lines fields: `set`, `line` (what `process_line` gets), `pieces` = `process_line(line).strip().split()` (the
pipeline's pieces), and `processed` = `process_line(line)` only where it differs from `' '.join(pieces)`.
"""
    with open(os.path.join(FIXTURE_DIR, 'README.md'), 'w', encoding='utf-8') as f:
        f.write(readme)


if __name__ == '__main__':
    main()
