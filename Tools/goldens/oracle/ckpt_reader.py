"""Read TensorFlow "tensor bundle" checkpoints (``PREFIX.index`` + ``PREFIX.data-NNNNN-of-MMMMM``) with numpy only.

Used by :mod:`oracle.numpy_port` so that the cross-check shares no code with TensorFlow. Gives the same arrays as
``tf.train.load_checkpoint(PREFIX).get_tensor(name)`` for unsliced, uncompressed checkpoints (what
``tf.compat.v1.train.Saver`` writes).

Format, as far as needed here:

* ``.index`` is a LevelDB-style table. Its last 48 bytes are the footer: two block handles (metaindex, index), each
  a varint64 offset and a varint64 size, zero padding to 40 bytes, then the magic ``0xdb4775248b80fb57`` (uint64,
  little endian).
* A block is a run of entries ``varint32 shared, varint32 non_shared, varint32 value_length, key suffix, value``
  (each key shares ``shared`` leading bytes with the previous one), then ``uint32`` restart offsets and their
  ``uint32`` count. Each block is followed by a 5-byte trailer: compression type (0 = none) and a masked CRC32C.
* Values of the index block are block handles of data blocks. In data blocks, the empty key holds the
  BundleHeaderProto and every other key is a tensor name whose value is a BundleEntryProto:
  ``1 dtype, 2 TensorShapeProto (repeated 2 dim { 1 size }), 3 shard_id, 4 offset, 5 size, 6 crc32c, 7 slices``.
* A tensor's bytes are ``[offset, offset + size)`` of data shard ``shard_id``: raw little-endian, row-major.

usage: python -m oracle.ckpt_reader PREFIX      (e.g. RUN/tf_ckpts/ckpt-0: lists names, shapes, dtypes)
"""
import argparse
import os
import struct

import numpy as np

TABLE_MAGIC = 0xdb4775248b80fb57
FOOTER_BYTES = 48
# tensorflow/core/framework/types.proto DataType -> numpy
NUMPY_DTYPES = {1: np.float32, 2: np.float64, 3: np.int32, 4: np.uint8, 5: np.int16, 6: np.int8, 9: np.int64,
                10: np.bool_, 19: np.float16}


def read_varint(buf, pos):
    """Decode a base-128 varint at ``buf[pos]``; return ``(value, next position)``."""
    value = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def read_block(table, handle_offset, handle_size):
    """All ``(key, value)`` pairs of one uncompressed table block."""
    if table[handle_offset + handle_size] != 0:
        raise NotImplementedError('compressed table block (type %d)' % table[handle_offset + handle_size])
    block = table[handle_offset:handle_offset + handle_size]
    n_restarts, = struct.unpack_from('<I', block, len(block) - 4)
    entries_end = len(block) - 4 * (n_restarts + 1)
    pairs, key, pos = [], b'', 0
    while pos < entries_end:
        shared, pos = read_varint(block, pos)
        unshared, pos = read_varint(block, pos)
        value_len, pos = read_varint(block, pos)
        key = key[:shared] + block[pos:pos + unshared]
        pos += unshared
        pairs.append((key, block[pos:pos + value_len]))
        pos += value_len
    return pairs


def proto_fields(buf):
    """Protocol-buffer wire format, flat: a list of ``(field number, value)``; length-delimited values as bytes."""
    fields, pos = [], 0
    while pos < len(buf):
        tag, pos = read_varint(buf, pos)
        number, wire_type = tag >> 3, tag & 7
        if wire_type == 0:
            value, pos = read_varint(buf, pos)
        elif wire_type == 2:
            n, pos = read_varint(buf, pos)
            value, pos = buf[pos:pos + n], pos + n
        elif wire_type in (1, 5):
            n = 8 if wire_type == 1 else 4
            value, pos = buf[pos:pos + n], pos + n
        else:
            raise ValueError('unsupported protobuf wire type %d' % wire_type)
        fields.append((number, value))
    return fields


def parse_bundle_entry(value):
    """A BundleEntryProto as a dict: dtype, shape, shard_id, offset, size (+ crc32c, sliced when present)."""
    entry = {'dtype': 1, 'shape': [], 'shard_id': 0, 'offset': 0, 'size': 0}
    for number, v in proto_fields(value):
        if number == 1:
            entry['dtype'] = v
        elif number == 2:
            for dim_number, dim in proto_fields(v):
                if dim_number == 2:
                    entry['shape'].append(dict(proto_fields(dim)).get(1, 0))
        elif number in (3, 4, 5):
            entry[{3: 'shard_id', 4: 'offset', 5: 'size'}[number]] = v
        elif number == 6:
            entry['crc32c'], = struct.unpack('<I', v)
        elif number == 7:
            entry['sliced'] = True
    return entry


def read_index(prefix):
    """``{tensor name: entry dict}`` from ``PREFIX.index``."""
    with open(prefix + '.index', 'rb') as f:
        table = f.read()
    footer = table[-FOOTER_BYTES:]
    if struct.unpack('<Q', footer[-8:])[0] != TABLE_MAGIC:
        raise ValueError('%s.index: not a TF tensor bundle (bad table magic)' % prefix)
    pos = 0
    for _ in range(2):                      # skip the metaindex handle
        _, pos = read_varint(footer, pos)
    index_offset, pos = read_varint(footer, pos)
    index_size, pos = read_varint(footer, pos)
    entries = {}
    for _, handle in read_block(table, index_offset, index_size):
        offset, p = read_varint(handle, 0)
        size, _ = read_varint(handle, p)
        for key, value in read_block(table, offset, size):
            if key:                         # the empty key is the bundle header
                entries[key.decode('utf-8')] = parse_bundle_entry(value)
    return entries


def load_checkpoint(prefix, names=None):
    """``{name: numpy array}`` for every tensor of the checkpoint (or only ``names``)."""
    folder, base = os.path.split(prefix)
    shards = {}
    tensors = {}
    for name, e in read_index(prefix).items():
        if names is not None and name not in names:
            continue
        if e.get('sliced'):
            raise NotImplementedError('%s: sliced tensors are not supported' % name)
        sid = e['shard_id']
        if sid not in shards:
            shard_prefix = base + '.data-%05d-of-' % sid
            shard = [fn for fn in os.listdir(folder or '.') if fn.startswith(shard_prefix)]
            if len(shard) != 1:
                raise FileNotFoundError('data shard %d of %s' % (sid, prefix))
            shards[sid] = np.memmap(os.path.join(folder, shard[0]), dtype=np.uint8, mode='r')
        raw = shards[sid][e['offset']:e['offset'] + e['size']].tobytes()
        tensors[name] = np.frombuffer(raw, dtype=NUMPY_DTYPES[e['dtype']]).reshape(e['shape'])
    return tensors


def main(argv=None):
    ap = argparse.ArgumentParser(prog='python -m oracle.ckpt_reader', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('prefix', metavar='PREFIX', help='checkpoint prefix, e.g. RUN/tf_ckpts/ckpt-0')
    a = ap.parse_args(argv)
    for name, e in sorted(read_index(a.prefix).items()):
        print(name, e['shape'], np.dtype(NUMPY_DTYPES.get(e['dtype'], np.void)).name, 'offset=%d' % e['offset'])


if __name__ == '__main__':
    main()
