#!/usr/bin/env python3
"""Generate the SentencePiece golden fixtures (Tests/Fixtures/tokenizer/sentencepiece/) with the `sentencepiece`
Python library (the version pinned in Tools/goldens/requirements.txt).

What it does:
  1. Builds a training corpus: a seeded random sample of --train-pairs rows of the zh<TAB>en training TSVs under
     <data>/train (both halves, so 2 * --train-pairs lines, zh and en mixed), written to a temporary file.
  2. Trains the models listed in MODELS below with sentencepiece's own trainer (single thread, no input shuffling)
     and copies each <name>.model into the fixture folder.
  3. Builds the encode inputs (inputs.json): real test lines (zh and en) from <data>/test (FLORES-200 devtest,
     WMT newstest, NTREX-128) plus hand-written edge cases (empty string, spaces only, full-width forms that need
     NFKC, half-width katakana, emoji, control characters, rare CJK, user-defined and control symbols as text...).
  4. For every model and every input writes one line of <name>.encode.jsonl, line i <-> inputs[i]:
        {"ids": [...], "decoded": "...", "pieces": [...], "normalized": "..."}
     = sp.encode(text), sp.decode(ids), sp.encode(text, out_type=str), sp.normalize(text). To keep the files
     small, "decoded" is left out when it equals the input text, and "pieces"/"normalized" are only written for
     the edge cases and every DETAIL_EVERY-th test line.
  5. For every model writes <name>.decode.jsonl: seeded random id sequences (all ids, with extra weight on control,
     unknown, byte and whitespace pieces) and what sp.decode(ids) returns for them: {"ids": [...], "text": "..."}.
  6. Writes probes.json: behaviour that trained models rarely show, checked on variants of the fixture models
     whose piece scores or types are edited in the serialized ModelProto (the edits are listed, so the Swift
     tests apply the same edits in memory): user-defined symbol scores vs. positive piece scores, BPE ties
     between +0.0 and -0.0 scores, UNUSED pieces (BPE re-segmentation and unknowns), byte fallback without an
     unknown piece. Each probe: {"name", "base", "scores": {id: score}, "types": {id: type},
     "cases": [{"text", "ids", "decoded"}]}.
  7. Writes README.md (what is here and the command that regenerates it).

<data> is the shared data folder, ../shared/data beside the clone by default (--data DIR otherwise). Run it from
the repository root with the oracle venv's python (set-up: Tools/goldens/README.md):

    python Tools/goldens/make_sentencepiece_goldens.py
    python Tools/goldens/make_sentencepiece_goldens.py --models unigram_nfkc_4k   # one model

Models are retrained every run; with num_threads=1 and relative paths the .model files come out byte-identical.
Use --keep-models to reuse the committed .model files and only regenerate the expected outputs.
"""
import argparse
import json
import os
import random
import shutil
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import SETUP_LINES  # noqa: E402  (the venv set-up lines shown in the README)

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
DEFAULT_DATA_DIR = os.path.normpath(os.path.join(REPO_ROOT, '..', 'shared', 'data'))
DEFAULT_OUT_DIR = os.path.join(REPO_ROOT, 'Tests', 'Fixtures', 'tokenizer', 'sentencepiece')

TRAIN_TSVS = [
    'train/debian_ddtp/ddtp.zh_CN-en.tsv',
    'train/gettext_debian/installed_zh_CN_mo.zh-en.tsv',
    'train/hsk_sentences/hsk_sentences.zh-en.tsv',
    'train/libreoffice/lo74_help.zh_CN-en.tsv',
    'train/libreoffice/lo74_ui.zh_CN-en.tsv',
    'train/tatoeba/cmn-eng.union.simplified.minus_holdout.tsv',
]

# (file relative to <data>, how many lines from the top). zh and en halves of the same test sets.
TEST_FILES = [
    ('test/flores200/flores200.devtest.zho_Hans-eng_Latn.zh', 1012),
    ('test/flores200/flores200.devtest.zho_Hans-eng_Latn.en', 1012),
    ('test/wmt/newstest2020.zh-en.zh', 300),
    ('test/wmt/newstest2019.en-zh.en', 300),
    ('test/ntrex128/ntrex128.eng-zho_CN.zh', 100),
    ('test/ntrex128/ntrex128.eng-zho_CN.en', 100),
]

# "pieces" and "normalized" are written for every edge case and every DETAIL_EVERY-th test line (size).
DETAIL_EVERY = 10

USER_DEFINED = ['<sep>', '%s', 'LibreOffice', '中国']
CONTROL = ['<2zh>', '<2en>']

COMMON = dict(num_threads=1, input_sentence_size=0, shuffle_input_sentence=False, seed_sentencepiece_size=200000,
              hard_vocab_limit=True)

MODELS = {
    # (a) the plain configuration: unigram, nmt_nfkc, vocabulary 4000.
    'unigram_nfkc_4k': dict(model_type='unigram', vocab_size=4000, normalization_rule_name='nmt_nfkc'),
    # (b) BPE, nmt_nfkc, vocabulary 4000.
    'bpe_nfkc_4k': dict(model_type='bpe', vocab_size=4000, normalization_rule_name='nmt_nfkc'),
    # (c) unigram with byte fallback and a small vocabulary, so that rare CJK characters become <0xNN> pieces.
    'unigram_bytefallback_1500': dict(model_type='unigram', vocab_size=1500, normalization_rule_name='nmt_nfkc',
                                      byte_fallback=True, character_coverage=0.98),
    # (d) BPE with byte fallback, user-defined symbols, no normalization rule and extra whitespace kept.
    'bpe_bytefallback_identity_1500': dict(model_type='bpe', vocab_size=1500, normalization_rule_name='identity',
                                           byte_fallback=True, character_coverage=0.98,
                                         remove_extra_whitespaces=False, user_defined_symbols=USER_DEFINED),
    # (e) unigram, whitespace as suffix, case folding, user-defined and control symbols, no byte fallback.
    'unigram_suffix_cf_2k': dict(model_type='unigram', vocab_size=2000, normalization_rule_name='nmt_nfkc_cf',
                                 treat_whitespace_as_suffix=True, user_defined_symbols=USER_DEFINED,
                                 control_symbols=CONTROL, character_coverage=0.995),
}

EDGE_CASES = [
    '', ' ', '   ', '\t', '\n', ' \t \n ', 'a', ' a', 'a ', '  a  ', 'a  b   c', 'a\tb\nc', 'a\u3000b', '\u3000',
    '\u00a0x\u00a0', 'x\u2009y\u200az', '\u200b', 'a\u200bb', '\ufeffBOM', 'soft\u00adhyphen',
    'ＡＢＣ１２３', 'ｶﾞ', 'ｶﾞｷﾞｸﾞｹﾞｺﾞ', 'ｱｲｳｴｵ', 'ﾊﾟﾋﾟﾌﾟ', 'Ｈｅｌｌｏ，　Ｗｏｒｌｄ！', '①②③⑩', '㍿㌔', 'ﬁﬂ ﬀ', '™ ℃ ℉ № ½ ¼',
    '…', '“quoted” ‘single’', '«guillemets»', '— – -', 'x²+y³=z⁴', 'Ⅻ ⅻ', 'é vs e\u0301', 'Å Å Å',
    'ǅ ǈ', 'ß ẞ', 'İstanbul', 'ΑΒΓ αβγ', 'Привет, мир', 'مرحبا بالعالم', 'नमस्ते', '안녕하세요 세계', 'ｱﾝﾆｮﾝ',
    'こんにちは世界', 'カタカナ ひらがな', '😀', '👍🏽', '👨\u200d👩\u200d👧', '🇨🇳🇺🇸', 'I ❤️ NY', '⭐✨🎉 party',
    '\x01\x02\x03', 'ctrl\x07bell', '\x7f', 'nul\x00byte', '\x1b[31mred\x1b[0m', '\r\n', 'line1\r\nline2',
    '\u2028\u2029', '\ufffd', '▁', '▁▁', 'a▁b', '⁇', ' ⁇ ', '<unk>', '<s>', '</s>', '<pad>', '<sep>', 'a<sep>b',
    '%s', '%s%s', 'LibreOffice', 'LibreOfficeLibreOffice', '中国', '中国人', '<2zh>', '<2en>hello', '<0x41>',
    '𠀀', '𪚥', '龘', '𠮷野家', '䶵', '〇', '乂', '鱻靐齉', '饕餮', '魑魅魍魉', '㐀㐁', '\U00030000', '\ue000',
    '\U000f0000', '\U0010fffd', '2024年12月31日', '3.14159', '1,000,000', 'v1.2.3-rc.4', 'https://example.com/a?b=c',
    'user@example.com', '#hashtag @mention', 'C++ / C# / F#', 'a' * 200, '中' * 300, 'ab' * 150,
    ' '.join(['word'] * 100), 'Hello, 世界! 你好 world.', '他说：“我们明天见。”', 'ＣＰＵ使用率为９５％',
    '（全角括号）', '【标题】', '《书名》', '、。，；：？！', '\u0301', 'e\u0301\u0301\u0301', '\u0000', 'A\u0000\u0000B',
    'MiXeD CaSe WORDS', 'ＭｉＸｅＤ', 'ǲ', 'ﬃ', '𝐀𝐁𝐂', '𝒜', 'Ⓐⓑ', '⑴⒜', '¹₂', '  leading and trailing  ',
]


def read_lines(path, limit):
    out = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            out.append(line.rstrip('\n'))
            if len(out) >= limit:
                break
    return out


def build_corpus(data_dir, pairs, seed, path):
    rows = []
    for rel in TRAIN_TSVS:
        with open(os.path.join(data_dir, rel), encoding='utf-8') as f:
            for line in f:
                cols = line.rstrip('\n').split('\t')
                if len(cols) >= 2 and cols[0].strip() and cols[1].strip():
                    rows.append((cols[0], cols[1]))
    rng = random.Random(seed)
    sample = rng.sample(rows, min(pairs, len(rows)))
    with open(path, 'w', encoding='utf-8') as f:
        for zh, en in sample:
            f.write(zh + '\n')
            f.write(en + '\n')
    return 2 * len(sample)


def build_inputs(data_dir):
    inputs = []
    for rel, limit in TEST_FILES:
        for i, line in enumerate(read_lines(os.path.join(data_dir, rel), limit)):
            inputs.append({'source': '%s:%d' % (rel, i + 1), 'text': line})
    for i, text in enumerate(EDGE_CASES):
        inputs.append({'source': 'edge:%d' % i, 'text': text})
    return inputs


def random_id_sequences(sp, rng, count):
    n = sp.get_piece_size()
    special = [i for i in range(n) if sp.is_control(i) or sp.is_unknown(i) or sp.is_byte(i)
               or sp.id_to_piece(i).startswith('\u2581') or sp.id_to_piece(i).endswith('\u2581')]
    seqs = [[], [sp.unk_id()], [sp.unk_id(), sp.unk_id()]]
    for _ in range(count):
        length = rng.randint(1, 12)
        seqs.append([rng.choice(special) if rng.random() < 0.4 else rng.randrange(n) for _ in range(length)])
    return seqs


# --- Probes: edited copies of the fixture models --------------------------------------------------------------
# The venv's protobuf is too old for sentencepiece_model_pb2, so the edit works on the wire format directly:
# ModelProto field 1 is `repeated SentencePiece pieces`, whose fields are 1 piece, 2 score (fixed32), 3 type.

TYPE_NORMAL, TYPE_UNKNOWN, TYPE_CONTROL, TYPE_USER_DEFINED, TYPE_UNUSED, TYPE_BYTE = 1, 2, 3, 4, 5, 6


def _read_varint(buf, pos):
    result, shift = 0, 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, pos


def _varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _fields(buf):
    """Splits a message into (field number, raw bytes of the whole field) pairs."""
    pos, out = 0, []
    while pos < len(buf):
        start = pos
        key, pos = _read_varint(buf, pos)
        wire = key & 7
        if wire == 0:
            _, pos = _read_varint(buf, pos)
        elif wire == 5:
            pos += 4
        elif wire == 1:
            pos += 8
        elif wire == 2:
            length, pos = _read_varint(buf, pos)
            pos += length
        else:
            raise ValueError('unexpected wire type %d' % wire)
        out.append((key >> 3, buf[start:pos]))
    return out


def float32(value):
    return struct.unpack('<f', struct.pack('<f', value))[0]


def edit_model(serialized, scores, types):
    """Returns the serialized model with piece scores ({id: float}) and types ({id: int}) replaced."""
    out, index = bytearray(), 0
    for number, raw in _fields(serialized):
        if number == 1:
            if index in scores or index in types:
                _, pos = _read_varint(raw, 0)
                length, pos = _read_varint(raw, pos)
                piece = [f for f in _fields(raw[pos:pos + length])
                         if not (f[0] == 2 and index in scores) and not (f[0] == 3 and index in types)]
                body = b''.join(f[1] for f in piece)
                if index in scores:
                    body += b'\x15' + struct.pack('<f', scores[index])
                if index in types:
                    body += b'\x18' + _varint(types[index])
                raw = b'\x0a' + _varint(len(body)) + body
            index += 1
        out += raw
    return bytes(out)


def make_probes(out_dir, inputs, seed):
    import sentencepiece as spm
    rng = random.Random('%d:probes' % seed)
    models = {}

    def load(name):
        if name not in models:
            with open(os.path.join(out_dir, name + '.model'), 'rb') as f:
                models[name] = f.read()
        return models[name]

    probes = []

    def probe(name, base, texts, scores=None, types=None):
        scores = {k: float32(v) for k, v in (scores or {}).items()}
        types = dict(types or {})
        sp = spm.SentencePieceProcessor(model_proto=edit_model(load(base), scores, types))
        cases = []
        for text in texts:
            ids = sp.encode(text)
            cases.append({'text': text, 'ids': ids, 'decoded': sp.decode(ids)})
        probes.append({'name': name, 'base': base, 'scores': {str(k): v for k, v in sorted(scores.items())},
                       'types': {str(k): v for k, v in sorted(types.items())}, 'cases': cases})

    edge = [item['text'] for item in inputs if item['source'].startswith('edge:')]
    lines = [item['text'] for item in inputs if not item['source'].startswith('edge:')]
    sample = rng.sample(lines, 200)

    # User-defined symbols in a unigram model: their score (0.1 * (bytes - 1)) against positive piece scores.
    base = 'unigram_suffix_cf_2k'
    sp = spm.SentencePieceProcessor(model_file=os.path.join(out_dir, base + '.model'))
    ud_texts = ['中国', '我是中国人', '中国中国', 'LibreOffice中国<sep>x', '%s中国%s', '中 国 中国', 'LibreOffice',
                '<sep><sep>', 'Libre Office']
    names = ['中', '国', '▁', '人', '我', '是', 's', '%', 'e', 'L', 'i', 'b', 'r', 'O', 'f', 'c']
    ids = [sp.piece_to_id(n) for n in names if sp.piece_to_id(n) != sp.unk_id()]
    for a in (0.4, 0.45, 0.55, 0.6, 3.0):
        probe('ud_score_%g' % a, base, ud_texts, scores={sp.piece_to_id('中'): a, sp.piece_to_id('国'): 0.0})
    for k in range(12):
        chosen = rng.sample(ids, rng.randint(1, len(ids)))
        edits = {i: rng.choice([rng.uniform(-3, 3), float(rng.randint(-3, 3)), rng.uniform(-0.3, 0.3)])
                 for i in chosen}
        probe('ud_random_%d' % k, base, ud_texts, scores=edits)

    # BPE: the agenda compares scores as integers, so +0.0 outranks -0.0 although they are equal floats.
    base = 'bpe_nfkc_4k'
    sp = spm.SentencePieceProcessor(model_file=os.path.join(out_dir, base + '.model'))
    ia, ab = sp.piece_to_id('ia'), sp.piece_to_id('ab')
    probe('bpe_plus_zero_right', base, ['iab', 'x iab', 'iabiab'], scores={ia: -0.0, ab: 0.0})
    probe('bpe_plus_zero_left', base, ['iab', 'x iab', 'iabiab'], scores={ia: 0.0, ab: -0.0})

    # UNUSED pieces: unigram skips them; BPE re-segments merges into them and turns unmerged ones into unknowns.
    for base in ('unigram_nfkc_4k', 'bpe_nfkc_4k', 'bpe_bytefallback_identity_1500'):
        sp = spm.SentencePieceProcessor(model_file=os.path.join(out_dir, base + '.model'))
        normal = [i for i in range(sp.get_piece_size())
                  if not (sp.is_control(i) or sp.is_unknown(i) or sp.is_byte(i) or sp.is_unused(i))
                  and sp.id_to_piece(i) not in USER_DEFINED]
        unused = rng.sample(normal, len(normal) // 7)
        probe('unused_' + base, base, edge + sample, types={i: TYPE_UNUSED for i in unused})

    # Byte fallback without an unknown piece: unknown characters still become bytes.
    for base in ('unigram_bytefallback_1500', 'bpe_bytefallback_identity_1500'):
        sp = spm.SentencePieceProcessor(model_file=os.path.join(out_dir, base + '.model'))
        probe('no_unk_' + base, base, edge + sample[:50], types={sp.unk_id(): TYPE_CONTROL})

    with open(os.path.join(out_dir, 'probes.json'), 'w', encoding='utf-8') as f:
        json.dump(probes, f, ensure_ascii=False, separators=(',', ':'))
        f.write('\n')
    return sum(len(p['cases']) for p in probes)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--data', default=DEFAULT_DATA_DIR, help='shared data folder (default: %(default)s)')
    parser.add_argument('--out', default=DEFAULT_OUT_DIR, help='fixture folder (default: %(default)s)')
    parser.add_argument('--models', nargs='*', choices=sorted(MODELS), help='subset of models (default: all)')
    parser.add_argument('--train-pairs', type=int, default=10000,
                        help='zh/en pairs sampled for training; 2x lines (default: %(default)s)')
    parser.add_argument('--seed', type=int, default=20261127, help='sampling seed (default: %(default)s)')
    parser.add_argument('--decode-cases', type=int, default=300,
                        help='random id sequences per model for decode goldens (default: %(default)s)')
    parser.add_argument('--keep-models', action='store_true',
                        help='do not retrain; reuse the .model files already in --out')
    args = parser.parse_args()

    import sentencepiece as spm

    os.makedirs(args.out, exist_ok=True)
    names = args.models or list(MODELS)
    work = tempfile.mkdtemp(prefix='spm_goldens_')
    try:
        corpus = os.path.join(work, 'corpus.txt')
        n_lines = build_corpus(args.data, args.train_pairs, args.seed, corpus)
        print('training corpus: %d lines' % n_lines)

        inputs = build_inputs(args.data)
        with open(os.path.join(args.out, 'inputs.json'), 'w', encoding='utf-8') as f:
            json.dump(inputs, f, ensure_ascii=False, indent=0)
            f.write('\n')
        print('inputs: %d' % len(inputs))

        for name in names:
            model_path = os.path.join(args.out, name + '.model')
            if not args.keep_models:
                options = dict(COMMON)
                options.update(MODELS[name])
                # Relative paths from inside the work folder: the trainer stores `input` and `model_prefix` in
                # the model, so the files stay byte-identical from run to run.
                cwd = os.getcwd()
                os.chdir(work)
                try:
                    spm.SentencePieceTrainer.train(input='corpus.txt', model_prefix=name, minloglevel=2, **options)
                finally:
                    os.chdir(cwd)
                shutil.copyfile(os.path.join(work, name + '.model'), model_path)
            sp = spm.SentencePieceProcessor(model_file=model_path)

            with open(os.path.join(args.out, name + '.encode.jsonl'), 'w', encoding='utf-8') as f:
                for i, item in enumerate(inputs):
                    text = item['text']
                    ids = sp.encode(text)
                    row = {'ids': ids}
                    decoded = sp.decode(ids)
                    if decoded != text:
                        row['decoded'] = decoded
                    if item['source'].startswith('edge:') or i % DETAIL_EVERY == 0:
                        row['pieces'] = sp.encode(text, out_type=str)
                        row['normalized'] = sp.normalize(text)
                    f.write(json.dumps(row, ensure_ascii=False, separators=(',', ':')) + '\n')

            rng = random.Random('%d:%s' % (args.seed, name))
            with open(os.path.join(args.out, name + '.decode.jsonl'), 'w', encoding='utf-8') as f:
                for ids in random_id_sequences(sp, rng, args.decode_cases):
                    f.write(json.dumps({'ids': ids, 'text': sp.decode(ids)}, ensure_ascii=False) + '\n')
            print('%s: vocab %d, %d encode rows, %d bytes model' % (name, sp.get_piece_size(), len(inputs),
                                                                    os.path.getsize(model_path)))
        print('probes: %d cases' % make_probes(args.out, inputs, args.seed))
        write_readme(args.out, spm.__version__)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def write_readme(out, version):
    lines = [
        '# SentencePiece golden fixtures',
        '',
        'Generated by `Tools/goldens/make_sentencepiece_goldens.py` with `sentencepiece==%s` (Python). '
        'Do not edit by hand.' % version,
        '',
        '- `<model>.model`: models trained by sentencepiece\'s own trainer on 20k zh/en lines sampled from '
        '`train/` of the shared data folder (see `MODELS` in the script for each configuration).',
        '',
        'Models (each also gets %s):' % ', '.join('`%s=%r`' % kv for kv in sorted(COMMON.items())),
        '',
    ] + ['- `%s`: %s' % (name, ', '.join('%s=%r' % kv for kv in sorted(opts.items()))) for name, opts in MODELS.items()] + [
        '',
        '- `inputs.json`: encode inputs, `[{"source", "text"}]`: FLORES-200 devtest, WMT newstest and NTREX-128 lines '
        '(zh and en) from `test/` of the shared data folder, then hand-written edge cases.',
        '- `<model>.encode.jsonl`: line i is what the library returns for `inputs[i]`: '
        '`{"ids", "decoded", "pieces", "normalized"}` = `sp.encode(text)`, `sp.decode(ids)`, '
        '`sp.encode(text, out_type=str)`, `sp.normalize(text)`. `decoded` is left out when it equals the input '
        'text; `pieces` and `normalized` are only present for the edge cases and every %d-th test line.' % DETAIL_EVERY,
        '- `<model>.decode.jsonl`: random id sequences and `sp.decode(ids)`: `{"ids", "text"}`.',
        '- `probes.json`: ids and decoded text from copies of the models with some piece scores or types edited '
        '(`{"name", "base", "scores", "types", "cases"}`; the Swift tests apply the same edits in memory).',
        '',
        'Regenerate (from the repository root; the text is read from the shared data folder, `../shared/data` '
        'beside the clone by default, `--data DIR` otherwise; only the `sentencepiece` pin of the requirements is '
        'needed):',
        '',
        '```sh',
        SETUP_LINES,
        'python Tools/goldens/make_sentencepiece_goldens.py              # retrains and rewrites everything',
        'python Tools/goldens/make_sentencepiece_goldens.py --keep-models  # only the expected outputs',
        '```',
        '',
        'The Swift side: `swift test --filter SentencePiece` (Tests/TokenizerTests/SentencePieceTests.swift).',
        '',
    ]
    with open(os.path.join(out, 'README.md'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines))


if __name__ == '__main__':
    sys.exit(main())
