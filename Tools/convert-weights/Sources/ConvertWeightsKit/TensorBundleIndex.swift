import Foundation

/// The `.index` file of a TensorFlow V2 checkpoint ("tensor bundle"): a LevelDB-style SSTable mapping tensor
/// names to `BundleEntryProto`s (csanmt-spec §4 and Appendix B).
///
/// Layout: data blocks, an index block whose values are BlockHandles of the data blocks, and a 48-byte footer
/// (metaindex handle, index handle, padding, magic 0xdb4775248b80fb57). Each block is followed by a 1-byte
/// compression type and a masked crc32c, both verified here.
public struct TensorBundleIndex {
    /// Where one tensor's bytes are.
    public struct Entry: Equatable {
        public let dtype: Int          // TF DataType enum: 1 = float32
        public let shape: [Int]
        public let shard: Int
        public let offset: Int         // 64-bit: the real shard is 7.9 GB
        public let size: Int
        public let crc32c: UInt32?     // masked crc32c of the bytes
    }

    public let path: String
    public let entries: [String: Entry]
    public let shardCount: Int

    static let magic: UInt64 = 0xdb47_7524_8b80_fb57

    /// Parses `prefix + ".index"`.
    public init(prefix: String) throws {
        path = prefix + ".index"
        let file = path
        func corrupt(_ why: String) -> ConversionError { .corruptIndex(file: file, reason: why) }
        // The size is checked before reading: Foundation's Data(contentsOf:) leaks a 4 KiB buffer on an empty
        // file (swift-foundation 6.3.1; found by Tools/fuzz/fuzz-tf-bundle).
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size < 48 {
            throw corrupt("\(size) bytes, shorter than the 48-byte footer")
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ConversionError.io(file: path, reason: "cannot read the checkpoint index (\(error.localizedDescription))")
        }
        let bytes = [UInt8](data)
        guard bytes.count >= 48 else { throw corrupt("\(bytes.count) bytes, shorter than the 48-byte footer") }
        var shards = 1
        var entries: [String: Entry] = [:]
        try bytes.withUnsafeBytes { all in
            let footer = UnsafeRawBufferPointer(rebasing: all[(all.count - 48)...])
            guard footer.loadUnaligned(fromByteOffset: 40, as: UInt64.self).littleEndian == Self.magic else {
                throw corrupt("bad magic number (not a TensorFlow checkpoint index, or truncated)")
            }
            var f = WireReader(footer)
            do {
                _ = try f.varint(); _ = try f.varint()                    // metaindex handle (unused)
                let indexHandle = (try f.int(), try f.int())
                for (_, handle) in try Self.block(all, indexHandle, corrupt) {
                    var h = WireReader(handle)
                    for (key, value) in try Self.block(all, (try h.int(), try h.int()), corrupt) {
                        if key.isEmpty {
                            shards = try Self.header(value)
                        } else {
                            guard let name = String(bytes: key, encoding: .utf8) else { throw corrupt("non-UTF-8 key") }
                            entries[name] = try Self.entry(value)
                        }
                    }
                }
            } catch let e as WireError {
                throw corrupt(e.description)
            }
        }
        self.entries = entries
        self.shardCount = shards
    }

    /// Data shard file for `shard`: `<prefix>.data-00000-of-00001`.
    public static func shardPath(prefix: String, shard: Int, of count: Int) -> String {
        func pad(_ n: Int) -> String { let s = String(n); return String(repeating: "0", count: max(0, 5 - s.count)) + s }
        return "\(prefix).data-\(pad(shard))-of-\(pad(count))"
    }

    public static func dtypeName(_ dtype: Int) -> String {
        let names = [1: "float32", 2: "float64", 3: "int32", 4: "uint8", 6: "int8", 9: "int64", 10: "bool", 14: "bfloat16", 19: "float16"]
        return names[dtype] ?? "enum \(dtype)"
    }

    /// Decodes one SSTable block at `handle` (offset, size) into (key, value) pairs, after checking its trailer.
    private static func block(_ all: UnsafeRawBufferPointer, _ handle: (Int, Int),
                              _ corrupt: (String) -> ConversionError) throws -> [([UInt8], UnsafeRawBufferPointer)] {
        let (offset, size) = handle
        // Handles come from the file: bounds are compared without sums that could overflow.
        guard offset >= 0, size >= 4, offset <= all.count, size <= all.count - offset - 5 else {
            throw corrupt("block [\(offset), +\(size)) lies outside the file")
        }
        let type = all[offset + size]
        guard type == 0 else { throw corrupt("compressed block (type \(type)) is not supported") }
        let stored = all.loadUnaligned(fromByteOffset: offset + size + 1, as: UInt32.self).littleEndian
        let crc = CRC32C.mask(CRC32C.update(0, all.baseAddress! + offset, count: size + 1))
        guard crc == stored else { throw corrupt("block at \(offset) fails its crc32c check") }
        let blk = UnsafeRawBufferPointer(rebasing: all[offset..<(offset + size)])
        let restarts = Int(blk.loadUnaligned(fromByteOffset: size - 4, as: UInt32.self).littleEndian)
        let end = size - 4 - 4 * restarts
        guard end >= 0 else { throw corrupt("block at \(offset) has \(restarts) restarts, more than fit") }
        var r = WireReader(UnsafeRawBufferPointer(rebasing: blk[0..<end]))
        var key: [UInt8] = [], out: [([UInt8], UnsafeRawBufferPointer)] = []
        while !r.atEnd {
            let shared = try r.int(), nonShared = try r.int(), valueLength = try r.int()
            guard shared <= key.count else { throw corrupt("key shares \(shared) bytes with a \(key.count)-byte key") }
            key = Array(key[0..<shared]) + Array(try r.take(nonShared))
            out.append((key, try r.take(valueLength)))
        }
        return out
    }

    /// BundleHeaderProto: field 1 = num_shards.
    private static func header(_ value: UnsafeRawBufferPointer) throws -> Int {
        var r = WireReader(value), shards = 1
        while !r.atEnd { if case let .varint(1, v) = try r.field() { shards = Int(clamping: v) } }
        guard shards >= 1 else { throw WireError.malformed("num_shards \(shards)") }
        return shards
    }

    /// BundleEntryProto: 1 dtype, 2 shape (TensorShapeProto: dim = 2 {size = 1}), 3 shard_id, 4 offset, 5 size,
    /// 6 crc32c (fixed32), 7 slices.
    private static func entry(_ value: UnsafeRawBufferPointer) throws -> Entry {
        var r = WireReader(value)
        var dtype = 0, shape: [Int] = [], shard = 0, offset = 0, size = 0, crc: UInt32?
        while !r.atEnd {
            switch try r.field() {
            case let .varint(1, v): dtype = Int(clamping: v)
            case let .bytes(2, shapeBytes):
                var s = WireReader(shapeBytes)
                while !s.atEnd {
                    guard case let .bytes(2, dim) = try s.field() else { continue }
                    var d = WireReader(dim), dimSize = 0
                    while !d.atEnd { if case let .varint(1, v) = try d.field() { dimSize = Int(Int64(bitPattern: v)) } }
                    shape.append(dimSize)
                }
            case let .varint(3, v): shard = Int(clamping: v)
            case let .varint(4, v): offset = Int(clamping: v)
            case let .varint(5, v): size = Int(clamping: v)
            case let .fixed32(6, v): crc = v
            default: break
            }
        }
        return Entry(dtype: dtype, shape: shape, shard: shard, offset: offset, size: size, crc32c: crc)
    }
}
