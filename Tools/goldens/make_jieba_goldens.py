#!/usr/bin/env python3
"""Generate the jieba golden fixtures (Tests/Fixtures/tokenizer/jieba/*.jsonl) with Python jieba 0.42.1.

Every fixture line is a JSON object {"text": ..., "words": [...]} where words = list(jieba.cut(text)), i.e.
precise mode, HMM=True, jieba's default dictionary: exactly what the CSANMT zh->en pipeline calls. The Swift port
(Sources/Tokenizer/Jieba, tests in Tests/TokenizerTests/JiebaTests.swift) must give identical words on every line.

Fixture files (line order = source order, no shuffling):
  flores200_devtest.jsonl     all lines of test/flores200/flores200.devtest.zho_Hans-eng_Latn.zh
  wmt17_first1000.jsonl       the first 1000 lines of test/wmt/newstest2017.zh-en.zh (the WMT set whose reference
                              ModelScope's CSANMT card reports; = damo_mt_testsets_zh2en_news_wmt19.csv)
  train_sample.jsonl          500 zh lines drawn with a fixed seed from the train/ TSV files: for each file a
                              quota, half of it from lines with ASCII letters/digits or one of % & _ # + . -
                              (placeholders, accelerators, versions, mixed scripts), half uniformly
  edge_cases.jsonl            hand-written edge cases (whitespace, \\r\\n, emoji, full-width text, numbers,
                              Latin, Traditional, characters outside U+4E00..U+9FD5, combining marks, characters
                              the HMM has never seen, ...); listed in EDGE_CASES below plus a few found in the
                              dictionary and HMM tables by rule
  random_sample.jsonl         1000 random strings stitched from dictionary words, common and rare characters,
                              ASCII pieces (3.14, 12.5%, C++, %s, ...), whitespace, punctuation and emoji

Text lines are the file's bytes decoded as UTF-8 and split on "\\n" only (no other line breaks, nothing stripped).

The text comes from the shared data folder, ../shared/data beside the clone by default (--data DIR otherwise).
Run it from the repository root with the oracle venv (jieba 0.42.1; set-up: Tools/goldens/README.md; jieba writes
its cache, jieba.cache, to TMPDIR):

    python Tools/goldens/make_jieba_goldens.py

Extra, uncommitted parity runs on more text (the Swift test also checks every *.jsonl of the folder named by the
environment variable JIEBA_EXTRA_GOLDENS):

    python Tools/goldens/make_jieba_goldens.py --out .goldens-cache/jieba-extra \\
        --corpus ../shared/data/test/wmt/newstest2018.zh-en.zh --corpus-tsv ../shared/data/train/x.tsv:0
    python Tools/goldens/make_jieba_goldens.py --out .goldens-cache/jieba-random --random 100000
    JIEBA_EXTRA_GOLDENS=$PWD/.goldens-cache/jieba-extra swift test --scratch-path .build-jieba --filter Jieba
"""
import argparse
import json
import os
import random
import re
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import SETUP_LINES  # noqa: E402  (the venv set-up lines shown in the README)

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
DEFAULT_OUT = os.path.join(REPO_ROOT, 'Tests', 'Fixtures', 'tokenizer', 'jieba')
DEFAULT_DATA = os.path.normpath(os.path.join(REPO_ROOT, '..', 'shared', 'data'))
JIEBA_VERSION = '0.42.1'
SEED = 20241127

FLORES = 'test/flores200/flores200.devtest.zho_Hans-eng_Latn.zh'
WMT = 'test/wmt/newstest2017.zh-en.zh'
WMT_LINES = 1000
RANDOM_LINES = 1000

# (path under the data root, zh column, quota)
TRAIN_SOURCES = [
    ('train/gettext_debian/installed_zh_CN_mo.zh-en.tsv', 0, 130),
    ('train/libreoffice/lo74_ui.zh_CN-en.tsv', 0, 120),
    ('train/libreoffice/lo74_help.zh_CN-en.tsv', 0, 80),
    ('train/debian_ddtp/ddtp.zh_CN-en.tsv', 0, 50),
    ('train/hsk_sentences/hsk_sentences.zh-en.tsv', 0, 30),
    ('train/tatoeba/cmn-eng.union.simplified.minus_holdout.tsv', 0, 40),
    ('train/tatoeba/cmn.older-2022-copy.txt', 1, 50),  # en, zh, attribution; more Traditional characters
]
FEATURE = re.compile(r'[A-Za-z0-9%&_#+.\-]')

EDGE_CASES = [
    # whitespace and line breaks: each whitespace character is a word, "\r\n" is one word
    '', ' ', '   ', '\t', '\t\t a', '\n', '\r', '\r\n', '\r\n\r\n', '\r\r\n', '\n\r', 'a\r\nb', '中文\r\n英文',
    '你好 世界', '你好  世界', ' 前后空格 ', '\u00a0中文\u00a0', '\u3000中文\u3000', '\u2028行\u2029段', '\u0085中',
    '\x0b\x0c\x1c\x1d\x1e\x1f', '\x00中\x00', '\u200b中\u200b文', '\ufeff开头', '\u2003\u2009\u202f\u205f',
    # emoji and symbols (outside the block characters: one word each, astral ones too)
    '😀', '我爱😀北京', '👨\u200d👩\u200d👧', '🇨🇳中国', '★☆♪', '©®™',
    # full-width text
    '你好，世界！（测试）【标题】《书名》“引号”‘单引号’', '３．１４％', '２０２０年', 'ＡＢＣ公司', '……', '——', '、。·',
    # numbers and percentages (finalseg's re_skip: [a-zA-Z0-9]+(?:\.\d+)?%?)
    '3.14%', '增长了3.14%。', '增长3.14%以上', '价格是12.5元', '1.2.3', 'v1.0.2版本', '100%的', '50.5%abc中文',
    '1.5%%', 'a.5', '.5', '5.', '12.34.56', '2020年1月1日', '第3.5代', '约0.5%的人', '3.14159265', '1,000,000元',
    '+86-10-12345678', '#1', '_', '-', '%', '&', '...', '---', '___', 'C++和C#编程', 'a&b_c-d.e', '中a&b中',
    # English and mixed scripts
    'English words only', 'Hello, world! 你好世界', 'iPhone手机', '我在google上班', 'ABC的DEF', 'abc中国xyz',
    '中文abc123def中文', 'abc', 'ABC123', '123', 'B超检查', 'γ射线', 'user@example.com',
    'http://www.example.com/path?x=1&y=2', 'Ⅻ世纪', '①②③', 'x²', 'H₂O', '٣.١٤', 'Ω欧姆', 'Ελληνικά', 'Русский язык',
    # UI strings: placeholders and accelerators
    '%s个文件', '删除 %d 个文件？', '文件(&F)', '_打开', '&打开', '--help选项', '用法：%s [选项]... 文件...',
    '已复制 %1$s 到 %2$s', '{0} 个项目', '<b>粗体</b>', '按 Ctrl+C 复制', '第 %COLUMNNUMBER 列',
    # Traditional characters
    '這是一個測試，繁體中文', '台灣的資訊產業', '我們說話時請關燈',
    # code points outside U+4E00..U+9FD5, and its edges
    '𠀀', '𠀀中文𠀀', '中文𠀀𠀁𠀂', '㐀㐁', '〇一二', '\u9fd5\u9fd6\u9fff', '\u4dff\u4e00', '\uf900\uf901', '\u9fd4\u9fd5',
    # combining marks are code points of their own
    'cafe\u0301', '中\u0301文', 'e\u0301中文', 'n\u0303o',
    # jieba README examples and classic ambiguities
    '我来到北京清华大学', '他来到了网易杭研大厦', '小明硕士毕业于中国科学院计算所，后在日本京都大学深造',
    '结过婚的和尚未结过婚的', '永和服装饰品有限公司', '工信处女干事每月经过下属科室都要亲口交代24口交换机等技术性器件的安装工作',
    '南京市长江大桥', '研究生命起源', '乒乓球拍卖完了', '中华人民共和国', '的' * 40, '哈' * 17,
]


def read_lines(path):
    with open(path, 'rb') as f:
        text = f.read().decode('utf-8')
    lines = text.split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    return lines


def read_column(path, column):
    out = []
    for line in read_lines(path):
        fields = line.split('\t')
        if len(fields) > column and fields[column]:
            out.append(fields[column])
    return out


def train_sample(data_root, rng):
    chosen = []
    seen = set()
    for rel, column, quota in TRAIN_SOURCES:
        pool = []
        for text in read_column(os.path.join(data_root, rel), column):
            if text not in seen:
                seen.add(text)
                pool.append(text)
        featured = [t for t in pool if FEATURE.search(t)]
        picked = rng.sample(featured, min(quota // 2, len(featured)))
        picked_set = set(picked)
        rest = [t for t in pool if t not in picked_set]
        picked += rng.sample(rest, quota - len(picked))
        chosen.extend(picked)
    return chosen


def rule_based_cases(jieba):
    """Strings of characters the model barely knows, to exercise the HMM's MIN_FLOAT ties."""
    from jieba import finalseg
    freq = jieba.dt.FREQ
    emit = finalseg.emit_P
    han = [chr(c) for c in range(0x4E00, 0x9FD6)]
    unknown = [c for c in han if c not in freq and all(c not in emit[s] for s in 'BMES')][:4]
    s_only = [c for c in han if c not in freq and c in emit['S'] and all(c not in emit[s] for s in 'BME')][:4]
    b_only = [c for c in han if c not in freq and c in emit['B'] and all(c not in emit[s] for s in 'MES')][:3]
    e_only = [c for c in han if c not in freq and c in emit['E'] and all(c not in emit[s] for s in 'BMS')][:3]
    cases = []
    for group in (unknown, s_only, b_only, e_only):
        if group:
            cases += [''.join(group), group[0] * 3, '中' + ''.join(group) + '国', ''.join(group) + '的人',
                      '我' + group[0] + '你' + group[-1]]
    if unknown and s_only:
        cases.append(unknown[0] + s_only[0] + unknown[-1] + s_only[-1])
    if b_only and e_only:
        cases += [b_only[0] + e_only[0], e_only[0] + b_only[0] + e_only[-1], b_only[0] * 2 + e_only[0]]
    return cases


def random_strings(jieba, count, rng):
    """Strings stitched from pieces that stress the block split, the route, the buffer and the HMM."""
    from jieba import finalseg
    freq = jieba.dt.FREQ
    words = sorted(w for w, f in freq.items() if f > 0)
    han = [chr(c) for c in range(0x4E00, 0x9FD6)]
    unknown = [c for c in han if c not in freq and all(c not in finalseg.emit_P[s] for s in 'BMES')]
    rare = [c for c in han if c not in freq]
    common = sorted({c for w in words[::50] for c in w if '\u4e00' <= c <= '\u9fd5'})
    ascii_pieces = ['a', 'Z', 'x1', '3', '3.14', '12.5%', '.', '%', '+', '#', '&', '_', '-', '..', 'v2.0', 'C++',
                    'abc', '1.2.3', '%s', '&F', '100%', '.5']
    other = [' ', '  ', '\t', '\r\n', '\n', '\r', '\u3000', '\u00a0', '，', '。', '！', '“', '”', '(', ')', '😀',
             '𠀀', '\u0301', '·', '—', '〇', '\u9fd6', '\u4dff']
    kinds = [(words, 5), (common, 4), (rare, 1), (unknown, 1), (ascii_pieces, 2), (other, 1)]
    pools = [p for p, w in kinds for _ in range(w)]
    out = []
    for _ in range(count):
        n = rng.randint(1, 25)
        out.append(''.join(rng.choice(rng.choice(pools)) for _ in range(n)))
    return out


def write_jsonl(path, texts, cut):
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        for text in texts:
            words = list(cut(text))
            assert ''.join(words) == text
            f.write(json.dumps({'text': text, 'words': words}, ensure_ascii=False) + '\n')
    print('%s: %d lines, %d bytes' % (os.path.relpath(path, REPO_ROOT), len(texts), os.path.getsize(path)))


README = """# jieba goldens

Made by `Tools/goldens/make_jieba_goldens.py` with Python jieba {version} (`jieba.cut(text)`: precise mode,
HMM=True, default dictionary). Each line: `{{"text": ..., "words": [...]}}`. The Swift port must produce identical
words (compared code point by code point) on every line: `swift test --scratch-path .build-jieba --filter Jieba`.

| file | lines | content |
|---|---|---|
{table}

Regenerate (from the repository root; the text is read from the shared data folder, `../shared/data` beside the
clone by default, `--data DIR` otherwise):

```bash
{setup}
python Tools/goldens/make_jieba_goldens.py
```

Sources: FLORES-200 (CC-BY-SA 4.0), WMT17 news test (WMT terms), train/ TSV files of the shared data
(see `PROVENANCE.md` in the shared data folder for their licenses). Seed {seed}.
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', default=DEFAULT_DATA, help='shared data root (default: %(default)s)')
    ap.add_argument('--out', default=DEFAULT_OUT, help='output folder (default: %(default)s)')
    ap.add_argument('--corpus', action='append', default=[],
                    help='extra mode: segment every line of this text file instead of the standard fixtures')
    ap.add_argument('--corpus-tsv', action='append', default=[], metavar='PATH:COLUMN',
                    help='extra mode: segment every non-empty field COLUMN (0-based) of this TSV file')
    ap.add_argument('--random', type=int, default=0, metavar='N',
                    help='extra mode: segment N random strings (dictionary words, ASCII, digits, symbols, '
                         'whitespace, characters unknown to the HMM, ...), seed --seed')
    ap.add_argument('--seed', type=int, default=SEED, help='seed of --random (default: %(default)s)')
    args = ap.parse_args()

    import jieba
    if jieba.__version__ != JIEBA_VERSION:
        sys.exit('error: jieba %s, expected %s' % (jieba.__version__, JIEBA_VERSION))
    jieba.setLogLevel(60)
    jieba.initialize()
    os.makedirs(args.out, exist_ok=True)

    if args.corpus or args.corpus_tsv or args.random:
        if args.random:
            texts = random_strings(jieba, args.random, random.Random(args.seed))
            write_jsonl(os.path.join(args.out, 'random_%d_seed%d.jsonl' % (args.random, args.seed)), texts, jieba.cut)
        for path in args.corpus:
            name = os.path.basename(path).replace('.', '_') + '.jsonl'
            write_jsonl(os.path.join(args.out, name), read_lines(path), jieba.cut)
        for spec in args.corpus_tsv:
            path, column = spec.rsplit(':', 1)
            name = os.path.basename(path).replace('.', '_') + '_col%s.jsonl' % column
            write_jsonl(os.path.join(args.out, name), read_column(path, int(column)), jieba.cut)
        return

    rng = random.Random(SEED)
    edge = EDGE_CASES + rule_based_cases(jieba)
    files = [
        ('flores200_devtest.jsonl', read_lines(os.path.join(args.data, FLORES)),
         'all of `%s`' % FLORES),
        ('wmt17_first1000.jsonl', read_lines(os.path.join(args.data, WMT))[:WMT_LINES],
         'first %d lines of `%s`' % (WMT_LINES, WMT)),
        ('train_sample.jsonl', train_sample(args.data, rng),
         'seeded sample of train/ zh columns: ' + ', '.join('%s %d' % (os.path.basename(p), q)
                                                              for p, _, q in TRAIN_SOURCES)),
        ('edge_cases.jsonl', edge, 'hand-written edge cases + characters unknown to the dictionary/HMM'),
        ('random_sample.jsonl', random_strings(jieba, RANDOM_LINES, random.Random(SEED)),
         '%d random strings (see `random_strings`)' % RANDOM_LINES),
    ]
    rows = []
    for name, texts, what in files:
        write_jsonl(os.path.join(args.out, name), texts, jieba.cut)
        rows.append('| `%s` | %d | %s |' % (name, len(texts), what))
    with open(os.path.join(args.out, 'README.md'), 'w', encoding='utf-8') as f:
        f.write(README.format(version=JIEBA_VERSION, table='\n'.join(rows), seed=SEED, setup=SETUP_LINES))


if __name__ == '__main__':
    main()
