#!/usr/bin/env python3
"""Compile jieba 0.42.1's default dictionary and finalseg HMM tables into the binary resources of the Swift port.

Inputs come from an installed jieba package (the one ``import jieba`` finds, e.g. /work/venv-oracle):
  * ``jieba/dict.txt`` is read with jieba's own ``Tokenizer.gen_pfdict``, so the prefix dictionary (every word and
    every prefix of a word, prefixes that are not words having frequency 0) and ``total`` are exactly jieba's;
  * ``jieba.finalseg`` start / transition / emission log-probabilities (``prob_*.py``).

Outputs (little-endian; both files end their 64-byte header with a CRC-32 of the payload):
  * ``jieba-dict.bin``: the prefix dictionary as a breadth-first trie over Unicode code points, plus a table of the
    distinct frequencies with ``math.log(freq)`` and ``math.log(total)`` computed here by Python, so the Swift route
    search adds the very same doubles as jieba whatever the platform's libm;
  * ``jieba-hmm.bin``: the HMM tables as the Python doubles, missing transitions filled with finalseg's MIN_FLOAT.

The layout is documented in Sources/Tokenizer/Jieba/JiebaDictionaryFile.swift and JiebaHMMFile.swift (readers) and
in Tools/jieba-dict/README.md. After writing, the script decodes both files again independently and checks that
every prefix-dictionary key, frequency and HMM value round-trips.

Usage (from the repository root):

    export TMPDIR=/work/scratch/tmp HOME=/work/scratch
    /work/venv-oracle/bin/python Tools/jieba-dict/compile_jieba_dict.py            # writes the committed resources
    /work/venv-oracle/bin/python Tools/jieba-dict/compile_jieba_dict.py --out /tmp/x --dict my_dict.txt
"""
import argparse
import hashlib
import math
import os
import struct
import sys
import zlib
from collections import deque

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
DEFAULT_OUT = os.path.join(REPO_ROOT, 'Sources', 'Tokenizer', 'Resources', 'jieba')

JIEBA_VERSION = '0.42.1'
# sha256 of the files of the jieba 0.42.1 wheel that the resources are made from.
EXPECTED_SHA256 = {
    'dict.txt': '7197c3211ddd98962b036cdf40324d1ea2bfaa12bd028e68faa70111a88e12a8',
    'finalseg/prob_start.py': '14c5706ced5cd3b42eb4873d4b88f7f52a7bdf80fbd767bc4423d361e20c5330',
    'finalseg/prob_trans.py': '54dfbc252ed71480d4f0cdfdf516ecfbe44efd0f6c3c64b158e7039f2906c91b',
    'finalseg/prob_emit.py': '27d46b1c9efe4dd148fde8be042a21be40e3562d0c7f1273f9de7abae12ebb8d',
}

DICT_MAGIC = b'JIEBADIC'
HMM_MAGIC = b'JIEBAHMM'
FORMAT_VERSION = 1
HEADER_SIZE = 64
STATES = 'BMES'  # finalseg's state order; the files use it too


def sha256(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def check_sources(jieba, dict_path, strict):
    root = os.path.dirname(jieba.__file__)
    problems = []
    if jieba.__version__ != JIEBA_VERSION:
        problems.append('jieba version %s, expected %s' % (jieba.__version__, JIEBA_VERSION))
    for rel, digest in EXPECTED_SHA256.items():
        path = dict_path if rel == 'dict.txt' else os.path.join(root, rel)
        if sha256(path) != digest:
            problems.append('%s: sha256 differs from jieba %s' % (path, JIEBA_VERSION))
    if problems and strict:
        sys.exit('error: ' + '; '.join(problems) + ' (pass --allow-other-sources to compile anyway)')
    for p in problems:
        print('warning: ' + p, file=sys.stderr)


def build_trie(freq):
    """Breadth-first trie of all keys of jieba's FREQ (words and their prefixes). Node 0 is the root ("")."""
    children = {'': []}
    for key in freq:
        children.setdefault(key, [])
    for key in freq:
        parent = key[:-1]
        if parent not in children:
            raise SystemExit('error: prefix %r of %r is missing from the prefix dictionary' % (parent, key))
        children[parent].append(key)
    order = []
    queue = deque([''])
    while queue:
        key = queue.popleft()
        order.append(key)
        kids = sorted(children[key], key=lambda k: ord(k[-1]))
        queue.extend(kids)
    return order, children


def compile_dict(freq, total, line_count):
    alphabet = sorted({ord(ch) for key in freq for ch in key})
    if len(alphabet) > 0xFFFE:
        raise SystemExit('error: %d distinct characters; the format holds at most 65534' % len(alphabet))
    label_of = {cp: i + 1 for i, cp in enumerate(alphabet)}
    freqs = sorted(set(freq.values()) | {0})
    if len(freqs) > 0xFFFF:
        raise SystemExit('error: %d distinct frequencies; the format holds at most 65535' % len(freqs))
    if freqs[0] < 0 or freqs[-1] > 0xFFFFFFFF or total > 0xFFFFFFFFFFFFFFFF or total <= 0:
        raise SystemExit('error: frequency or total out of range (freq %d..%d, total %d)' % (freqs[0], freqs[-1], total))
    freq_index = {f: i for i, f in enumerate(freqs)}
    order, children = build_trie(freq)
    labels, findex, counts = [], [], []
    for key in order:
        labels.append(label_of[ord(key[-1])] if key else 0)
        findex.append(freq_index[freq[key]] if key else 0)
        if len(children[key]) > 0xFFFF:
            raise SystemExit('error: a trie node has more than 65535 children')
        counts.append(len(children[key]))
    # log(freq) exactly as jieba computes it (math.log of a Python int); index 0 (freq 0) is never used.
    logs = [math.log(f) if f > 0 else 0.0 for f in freqs]
    payload = b''.join([
        struct.pack('<%dd' % len(logs), *logs),
        struct.pack('<%dI' % len(freqs), *freqs),
        struct.pack('<%dI' % len(alphabet), *alphabet),
        struct.pack('<%dH' % len(labels), *labels),
        struct.pack('<%dH' % len(findex), *findex),
        struct.pack('<%dH' % len(counts), *counts),
    ])
    word_count = sum(1 for v in freq.values() if v > 0)
    header = struct.pack('<8sIIIIIIIIQdQ', DICT_MAGIC, FORMAT_VERSION, HEADER_SIZE, len(order), len(alphabet),
                         len(freqs), word_count, line_count, zlib.crc32(payload) & 0xFFFFFFFF, total,
                         math.log(total), 0)
    assert len(header) == HEADER_SIZE
    return header + payload


def decode_dict(blob):
    """Independent reader used to verify the written file: returns ({key: freq}, total, logtotal, logs)."""
    (magic, version, hsize, nodes, nalpha, nfreq, nwords, nlines, crc, total, logtotal, _) = \
        struct.unpack_from('<8sIIIIIIIIQdQ', blob, 0)
    assert magic == DICT_MAGIC and version == FORMAT_VERSION and hsize == HEADER_SIZE
    assert zlib.crc32(blob[HEADER_SIZE:]) & 0xFFFFFFFF == crc
    off = HEADER_SIZE
    logs = struct.unpack_from('<%dd' % nfreq, blob, off); off += 8 * nfreq
    freqs = struct.unpack_from('<%dI' % nfreq, blob, off); off += 4 * nfreq
    alphabet = struct.unpack_from('<%dI' % nalpha, blob, off); off += 4 * nalpha
    labels = struct.unpack_from('<%dH' % nodes, blob, off); off += 2 * nodes
    findex = struct.unpack_from('<%dH' % nodes, blob, off); off += 2 * nodes
    counts = struct.unpack_from('<%dH' % nodes, blob, off); off += 2 * nodes
    assert off == len(blob)
    keys = [''] * nodes
    out = {}
    start = 1
    for n in range(nodes):
        for c in range(start, start + counts[n]):
            keys[c] = keys[n] + chr(alphabet[labels[c] - 1])
            out[keys[c]] = freqs[findex[c]]
        start += counts[n]
    assert start == nodes
    return out, total, logtotal, logs, freqs, nwords, nlines


def compile_hmm(start_p, trans_p, emit_p, min_float):
    emits = []
    for s in STATES:
        items = sorted((ord(ch), p) for ch, p in emit_p[s].items())
        emits.append(items)
    payload = [struct.pack('<d', min_float)]
    payload.append(struct.pack('<4d', *[start_p[s] for s in STATES]))
    payload.append(struct.pack('<16d', *[trans_p[a].get(b, min_float) for a in STATES for b in STATES]))
    for items in emits:
        payload.append(struct.pack('<%dI' % len(items), *[cp for cp, _ in items]))
        payload.append(struct.pack('<%dd' % len(items), *[p for _, p in items]))
    payload = b''.join(payload)
    header = struct.pack('<8sIIIIIII', HMM_MAGIC, FORMAT_VERSION, HEADER_SIZE,
                         *[len(e) for e in emits], zlib.crc32(payload) & 0xFFFFFFFF)
    header += b'\0' * (HEADER_SIZE - len(header))
    return header + payload


def decode_hmm(blob):
    magic, version, hsize, nb, nm, ne, ns, crc = struct.unpack_from('<8sIIIIIII', blob, 0)
    assert magic == HMM_MAGIC and version == FORMAT_VERSION and hsize == HEADER_SIZE
    assert zlib.crc32(blob[HEADER_SIZE:]) & 0xFFFFFFFF == crc
    off = HEADER_SIZE
    (min_float,) = struct.unpack_from('<d', blob, off); off += 8
    start = dict(zip(STATES, struct.unpack_from('<4d', blob, off))); off += 32
    flat = struct.unpack_from('<16d', blob, off); off += 128
    trans = {a: {b: flat[4 * i + j] for j, b in enumerate(STATES)} for i, a in enumerate(STATES)}
    emit = {}
    for s, n in zip(STATES, (nb, nm, ne, ns)):
        cps = struct.unpack_from('<%dI' % n, blob, off); off += 4 * n
        ps = struct.unpack_from('<%dd' % n, blob, off); off += 8 * n
        emit[s] = {chr(c): p for c, p in zip(cps, ps)}
    assert off == len(blob)
    return min_float, start, trans, emit


def same_float(a, b):
    return struct.pack('<d', a) == struct.pack('<d', b)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default=DEFAULT_OUT, help='output folder (default: %(default)s)')
    ap.add_argument('--dict', default=None, help="dictionary text file (default: the installed jieba's dict.txt)")
    ap.add_argument('--allow-other-sources', action='store_true',
                    help='compile even if jieba or its data files are not the 0.42.1 originals (sha256 checked)')
    args = ap.parse_args()

    import jieba
    import jieba.finalseg as finalseg
    dict_path = args.dict or os.path.join(os.path.dirname(jieba.__file__), jieba.DEFAULT_DICT_NAME)
    check_sources(jieba, dict_path, strict=not args.allow_other_sources)

    with open(dict_path, 'rb') as f:
        line_count = sum(1 for _ in f)
    with open(dict_path, 'rb') as f:
        freq, total = jieba.Tokenizer.gen_pfdict(f)  # closes f
    dict_blob = compile_dict(freq, total, line_count)
    hmm_blob = compile_hmm(finalseg.start_P, finalseg.trans_P, finalseg.emit_P, finalseg.MIN_FLOAT)

    # Verify before writing anything.
    got, got_total, got_logtotal, logs, freqs, nwords, nlines = decode_dict(dict_blob)
    assert got == freq, 'prefix dictionary does not round-trip'
    assert got_total == total and same_float(got_logtotal, math.log(total))
    assert all(same_float(l, math.log(f)) for l, f in zip(logs, freqs) if f > 0)
    min_float, start, trans, emit = decode_hmm(hmm_blob)
    assert same_float(min_float, finalseg.MIN_FLOAT)
    assert all(same_float(start[s], finalseg.start_P[s]) for s in STATES)
    assert all(same_float(trans[a][b], finalseg.trans_P[a].get(b, finalseg.MIN_FLOAT)) for a in STATES for b in STATES)
    for s in STATES:
        assert emit[s].keys() == finalseg.emit_P[s].keys()
        assert all(same_float(emit[s][c], p) for c, p in finalseg.emit_P[s].items())

    os.makedirs(args.out, exist_ok=True)
    for name, blob in (('jieba-dict.bin', dict_blob), ('jieba-hmm.bin', hmm_blob)):
        path = os.path.join(args.out, name)
        with open(path, 'wb') as f:
            f.write(blob)
        print('%s: %d bytes, sha256 %s' % (path, len(blob), hashlib.sha256(blob).hexdigest()))
    print('dictionary: %d lines, %d words, %d prefix-dictionary keys (trie nodes %d), %d characters, '
          '%d distinct frequencies, total %d' % (nlines, nwords, len(freq), len(freq) + 1,
                                                 len({ch for k in freq for ch in k}), len(freqs), total))
    print('hmm: emission entries %s' % {s: len(finalseg.emit_P[s]) for s in STATES})


if __name__ == '__main__':
    main()
