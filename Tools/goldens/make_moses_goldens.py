#!/usr/bin/env python3
"""Generate the Moses golden fixtures (Tests/Fixtures/tokenizer/moses/) and the Swift character tables.

Reference: sacremoses 0.2.0 (the hplt-project wheel, byte-identical to its RECORD), run exactly as ModelScope's
CSANMT pipeline runs it:

    MosesPunctNormalizer(lang='en').normalize(x)
    MosesTokenizer(lang='en').tokenize(x, return_str=True, aggressive_dash_splits=True)
    MosesDetokenizer(lang='en' | 'zh').detokenize(tokens)

Two jobs, both deterministic (same bytes on a rerun):

``--tables``   writes Sources/Tokenizer/Moses/MosesCharacterTables.swift and
               Sources/Tokenizer/Resources/moses/nonbreaking_prefix.en. Every character class is measured, not
               re-derived: each code point 0..0x10FFFF (surrogates excluded) is matched against the class exactly
               as sacremoses compiles it with Python's ``re`` (e.g. ``[{IsAlnum}]`` built from the same strings),
               so the Swift port reproduces Python's ``\\s``/``\\d`` and sacremoses' perluniprops data bit for bit.
``--goldens``  writes the JSON-lines fixtures from real text of the shared data folder (../shared/data beside
               the clone by default, --data DIR otherwise; see the README written next to them for the fields).

Run from the repository root with the oracle venv (sacremoses 0.2.0, jieba 0.42.1; set-up: Tools/goldens/README.md):

    python Tools/goldens/make_moses_goldens.py --tables --goldens
"""
import argparse
import json
import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import SETUP_LINES  # noqa: E402  (the venv set-up lines shown in the README)

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
DEFAULT_DATA = os.path.normpath(os.path.join(REPO_ROOT, '..', 'shared', 'data'))
TABLES_SWIFT = os.path.join(REPO_ROOT, 'Sources', 'Tokenizer', 'Moses', 'MosesCharacterTables.swift')
PREFIX_FILE = os.path.join(REPO_ROOT, 'Sources', 'Tokenizer', 'Resources', 'moses', 'nonbreaking_prefix.en')
FIXTURE_DIR = os.path.join(REPO_ROOT, 'Tests', 'Fixtures', 'tokenizer', 'moses')

MAX_CP = 0x110000


def code_points():
    for cp in range(MAX_CP):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        yield cp


def measure(predicate):
    """Sorted list of (lo, hi) closed ranges of the code points for which predicate(chr(cp)) is true."""
    ranges = []
    for cp in code_points():
        if predicate(chr(cp)):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            elif ranges and ranges[-1][1] == 0xD7FF and cp == 0xE000:
                ranges[-1][1] = cp  # bridge the surrogate gap (Swift scalars never hold surrogates)
            else:
                ranges.append([cp, cp])
    return ranges


def regex_class(pattern):
    compiled = re.compile(pattern)
    return lambda ch: compiled.fullmatch(ch) is not None


def encode_ranges(ranges):
    parts = []
    for lo, hi in ranges:
        parts.append('%X' % lo if lo == hi else '%X-%X' % (lo, hi))
    return ' '.join(parts)


def swift_string_literal(text, width=116):
    """A Swift multi-line string literal body, wrapped at spaces (the parser ignores whitespace runs)."""
    lines, line = [], ''
    for word in text.split(' '):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = word if not line else line + ' ' + word
    if line:
        lines.append(line)
    return '\n'.join('        ' + l for l in lines)


def write_tables():
    from sacremoses.tokenize import MosesTokenizer, MosesDetokenizer
    from sacremoses.util import is_cjk
    from sacremoses._data_nonbreaking_prefixes import NONBREAKING_PREFIXES

    mt = MosesTokenizer(lang='en')
    md = MosesDetokenizer(lang='en')

    tables = {}

    def add(name, doc, predicate):
        ranges = measure(predicate)
        tables[name] = (doc, ranges)
        print('%-28s %6d ranges %8d code points' % (name, len(ranges), sum(h - l + 1 for l, h in ranges)),
              file=sys.stderr)
        return ranges

    ws = add('pythonWhitespace', "Python's `\\s` in `re` str patterns (= `str.isspace`, used by split/strip).",
             regex_class(r'\s'))
    assert ws == measure(str.isspace), 're \\s differs from str.isspace'
    add('pythonDecimal', "Python's `\\d` in `re` str patterns (Unicode Nd).", regex_class(r'\d'))
    alnum = add('tokenizerAlnum', 'MosesTokenizer `[{IsAlnum}]` (perluniprops IsAlnum + viramas + nuktas).',
                regex_class('[{}]'.format(mt.IsAlnum)))
    alpha = add('tokenizerAlpha', 'MosesTokenizer `[{IsAlpha}]` (perluniprops IsAlpha + viramas + nuktas).',
                regex_class('[{}]'.format(mt.IsAlpha)))
    add('tokenizerNumber', 'MosesTokenizer `[{IsN}]` (perluniprops IsN; the data string holds one newline).',
        regex_class('[{}]'.format(mt.IsN)))
    add('tokenizerLower', 'MosesTokenizer.islower: membership in the literal character set of IsLower.',
        lambda ch, s=frozenset(mt.IsLower): ch in s)
    add('detokenizerAlpha', 'MosesDetokenizer `[{IsAlpha}]` (perluniprops IsAlpha, no viramas/nuktas).',
        regex_class('[{}]'.format(md.IsAlpha)))
    add('detokenizerCurrency', 'MosesDetokenizer IS_CURRENCY_SYMBOL class `[{IsSc}\\(\\[\\{\\¿\\¡]`.',
        regex_class(r'[{}\(\[\{{\¿\¡]'.format(md.IsSc)))
    add('cjk', 'sacremoses.util.is_cjk (closed ranges, as in 0.2.0).', is_cjk)

    # Consistency checks: the Swift code composes these tables instead of storing every class.
    assert measure(lambda ch, s=frozenset(mt.IsAlpha): ch in s) == alpha, 'isanyalpha set != [IsAlpha] class'
    pad = re.compile(r"[^{}\s\.'\`\,\-]".format(mt.IsAlnum))
    alnum_set = set(cp for lo, hi in alnum for cp in range(lo, hi + 1))
    ws_set = set(cp for lo, hi in ws for cp in range(lo, hi + 1))
    for cp in code_points():
        expected = pad.fullmatch(chr(cp)) is not None
        composed = not (cp in alnum_set or cp in ws_set or chr(cp) in ".'`,-")
        assert expected == composed, 'PAD_NOT_ISALNUM composition differs at U+%04X' % cp
    en2 = re.compile(r"[^{alpha}{isn}]".format(alpha=mt.IsAlpha, isn=mt.IsN))
    n_set = frozenset(mt.IsN)
    alpha_set = frozenset(mt.IsAlpha)
    for cp in code_points():
        expected = en2.fullmatch(chr(cp)) is not None
        composed = not (chr(cp) in alpha_set or chr(cp) in n_set)
        assert expected == composed, 'EN_SPECIFIC_2 composition differs at U+%04X' % cp

    out = []
    out.append('// GENERATED by Tools/goldens/make_moses_goldens.py --tables from sacremoses 0.2.0 and Python %d.%d.%d '
               '(Unicode %s).' % (sys.version_info[0], sys.version_info[1], sys.version_info[2],
                                  __import__('unicodedata').unidata_version))
    out.append('// Do not edit by hand. Each table lists the code points (hex, "LO-HI" closed ranges) matched by the')
    out.append("// class exactly as sacremoses compiles it with Python's `re`; the surrogate gap is bridged.")
    out.append('')
    out.append('/// Character classes of sacremoses / Python `re`, measured code point by code point.')
    out.append('enum MosesCharacterTables {')
    for name, (doc, ranges) in tables.items():
        out.append('    /// %s' % doc)
        out.append('    static let %s = """' % name)
        out.append(swift_string_literal(encode_ranges(ranges)))
        out.append('        """')
        out.append('')
    out[-1:] = []
    out.append('}')
    os.makedirs(os.path.dirname(TABLES_SWIFT), exist_ok=True)
    with open(TABLES_SWIFT, 'w', encoding='utf-8') as f:
        f.write('\n'.join(out) + '\n')
    print('wrote', os.path.relpath(TABLES_SWIFT, REPO_ROOT), file=sys.stderr)

    os.makedirs(os.path.dirname(PREFIX_FILE), exist_ok=True)
    with open(PREFIX_FILE, 'w', encoding='utf-8', newline='') as f:
        f.write(NONBREAKING_PREFIXES['nonbreaking_prefix.en'])
    print('wrote', os.path.relpath(PREFIX_FILE, REPO_ROOT), file=sys.stderr)


# ---------------------------------------------------------------------------------------------------------------
# Goldens


def read_lines(path):
    with open(path, encoding='utf-8', newline='') as f:
        return [l[:-1] if l.endswith('\n') else l for l in f]


def tsv_column(path, column):
    rows = []
    for line in read_lines(path):
        fields = line.split('\t')
        if len(fields) > column:
            rows.append(fields[column])
    return rows


def sample(rows, count, seed):
    rng = random.Random(seed)
    rows = [r for r in rows if r.strip()]
    if len(rows) <= count:
        return rows
    picked = sorted(rng.sample(range(len(rows)), count))
    return [rows[i] for i in picked]


def english_sources(data):
    """(source tag, line) pairs: test sets first, then UI/help/package strings from the training TSVs."""
    out = []
    out += [('flores200.devtest', l) for l in read_lines(os.path.join(
        data, 'test/flores200/flores200.devtest.zho_Hans-eng_Latn.en'))]
    out += [('newstest2019.en-zh', l) for l in sample(read_lines(os.path.join(
        data, 'test/wmt/newstest2019.en-zh.en')), 150, 1)]
    out += [('wmttest2023.en-zh', l) for l in sample(read_lines(os.path.join(
        data, 'test/wmt/wmttest2023.en-zh.en')), 150, 2)]
    out += [('lo74_ui', l) for l in sample(tsv_column(os.path.join(
        data, 'train/libreoffice/lo74_ui.zh_CN-en.tsv'), 1), 350, 3)]
    out += [('gettext_debian', l) for l in sample(tsv_column(os.path.join(
        data, 'train/gettext_debian/installed_zh_CN_mo.zh-en.tsv'), 1), 350, 4)]
    out += [('lo74_help', l) for l in sample(tsv_column(os.path.join(
        data, 'train/libreoffice/lo74_help.zh_CN-en.tsv'), 1), 150, 5)]
    out += [('ddtp', l) for l in sample(tsv_column(os.path.join(
        data, 'train/debian_ddtp/ddtp.zh_CN-en.tsv'), 1), 100, 6)]
    out += [('tatoeba', l) for l in sample(tsv_column(os.path.join(
        data, 'train/tatoeba/cmn-eng.union.simplified.minus_holdout.tsv'), 1), 100, 7)]
    # UI/help strings holding the characters the tokenizer escapes or treats specially.
    special = re.compile(r"[&|\[\]\"'<>\u2026\u00a0\u2018\u2019\u201c\u201d]|\.\.|https?:|www\.|--")
    for tag, rel, seed in (('lo74_ui:special', 'train/libreoffice/lo74_ui.zh_CN-en.tsv', 8),
                           ('gettext_debian:special', 'train/gettext_debian/installed_zh_CN_mo.zh-en.tsv', 9),
                           ('lo74_help:special', 'train/libreoffice/lo74_help.zh_CN-en.tsv', 10)):
        rows = [l for l in tsv_column(os.path.join(data, rel), 1) if special.search(l)]
        out += [(tag, l) for l in sample(rows, 150, seed)]
    return out


def chinese_sources(data):
    out = []
    out += [('flores200.devtest', l) for l in sample(read_lines(os.path.join(
        data, 'test/flores200/flores200.devtest.zho_Hans-eng_Latn.zh')), 300, 11)]
    out += [('newstest2019.zh-en', l) for l in sample(read_lines(os.path.join(
        data, 'test/wmt/newstest2019.zh-en.zh')), 150, 12)]
    out += [('wmttest2022.en-zh', l) for l in sample(read_lines(os.path.join(
        data, 'test/wmt/wmttest2022.en-zh.zh')), 100, 13)]
    out += [('lo74_ui', l) for l in sample(tsv_column(os.path.join(
        data, 'train/libreoffice/lo74_ui.zh_CN-en.tsv'), 0), 100, 14)]
    return out


def write_jsonl(path, rows):
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, separators=(',', ':')) + '\n')
    print('wrote %s (%d lines, %d bytes)' % (os.path.relpath(path, REPO_ROOT), len(rows), os.path.getsize(path)),
          file=sys.stderr)


def write_goldens(data):
    from sacremoses import MosesPunctNormalizer, MosesTokenizer, MosesDetokenizer
    import jieba
    jieba.setLogLevel(60)

    normalizer = MosesPunctNormalizer(lang='en')
    tokenizer = MosesTokenizer(lang='en')
    detok_en = MosesDetokenizer(lang='en')
    detok_zh = MosesDetokenizer(lang='zh')
    os.makedirs(FIXTURE_DIR, exist_ok=True)

    rows = []
    for tag, src in english_sources(data):
        norm = normalizer.normalize(src)
        tok = tokenizer.tokenize(norm, return_str=True, aggressive_dash_splits=True)
        rows.append({
            'set': tag,
            'src': src,
            'norm': norm,
            'tok': tok,
            # The tokenizer alone on the raw line (curly quotes, NBSP, ... reach it), no dash splitting.
            'tok_raw': tokenizer.tokenize(src, return_str=True, aggressive_dash_splits=False),
            'detok': detok_en.detokenize(tok.split()),
        })
    write_jsonl(os.path.join(FIXTURE_DIR, 'en.jsonl'), rows)

    rows = []
    for tag, src in chinese_sources(data):
        tokens = ' '.join(jieba.cut(src)).split()
        rows.append({'set': tag, 'tokens': tokens, 'detok': detok_zh.detokenize(tokens)})
    write_jsonl(os.path.join(FIXTURE_DIR, 'zh_detok.jsonl'), rows)

    readme = """# Moses golden fixtures

Made by `Tools/goldens/make_moses_goldens.py --goldens` with sacremoses 0.2.0 and jieba 0.42.1 from the text
of the shared data folder (see its `PROVENANCE.md` for origins and licenses). Do not edit by hand: regenerate.

## Regenerate

From the repository root; the text is read from `../shared/data` beside the clone by default (`--data DIR`
otherwise):

```bash
""" + SETUP_LINES + """
python Tools/goldens/make_moses_goldens.py --goldens
#   --tables    also rewrite Sources/Tokenizer/Moses/MosesCharacterTables.swift and the en prefix resource
```

## Files (JSON lines, UTF-8)

| file | fields |
|---|---|
| `en.jsonl` | `set` (origin), `src` (raw line), `norm` = `MosesPunctNormalizer(lang='en').normalize(src)`, `tok` = `MosesTokenizer(lang='en').tokenize(norm, return_str=True, aggressive_dash_splits=True)` (the CSANMT en->zh preprocessing), `tok_raw` = `tokenize(src, return_str=True)` (no normalizer, no dash splits), `detok` = `MosesDetokenizer(lang='en').detokenize(tok.split())` |
| `zh_detok.jsonl` | `set`, `tokens` = `' '.join(jieba.cut(line)).split()` for a Chinese line, `detok` = `MosesDetokenizer(lang='zh').detokenize(tokens)` |

Sources of `en.jsonl`: FLORES-200 devtest English (all 1012 lines), 150 + 150 lines of WMT19/WMT23 en-zh English
sources, and seeded random samples of the English columns of the LibreOffice UI / help, Debian gettext, DDTP and
Tatoeba training TSVs, plus 3 x 150 lines of LibreOffice UI/help and Debian gettext strings picked because they
contain `& | [ ] " ' < >`, curly quotes, `…`, `..`, `--`, NBSP or URLs (sets `*:special`). `zh_detok.jsonl`: FLORES-200 devtest, WMT19 zh-en, WMT22 en-zh references and LibreOffice
UI Chinese strings.
"""
    with open(os.path.join(FIXTURE_DIR, 'README.md'), 'w', encoding='utf-8') as f:
        f.write(readme)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--tables', action='store_true', help='write the Swift character tables and prefix file')
    parser.add_argument('--goldens', action='store_true', help='write Tests/Fixtures/tokenizer/moses/*')
    parser.add_argument('--data', default=DEFAULT_DATA, help='shared data folder (default: %(default)s)')
    args = parser.parse_args()
    if not (args.tables or args.goldens):
        parser.error('nothing to do: give --tables and/or --goldens')
    if args.tables:
        write_tables()
    if args.goldens:
        write_goldens(args.data)


if __name__ == '__main__':
    main()
