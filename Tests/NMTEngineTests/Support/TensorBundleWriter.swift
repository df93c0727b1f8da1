import ConvertWeightsKit
import Foundation

/// A minimal writer of TF tensor-bundle checkpoints (entries over ``TensorBundleIndexWriter``'s container), so tests can build
/// checkpoints with chosen dtypes, offsets and damage. Mirrors the format the reader documents.
enum TensorBundleWriter {
    struct Tensor {
        var name: String
        var dtype = 1
        var shape: [Int]
        var offset: Int
        var bytes: [UInt8]
        var crc: UInt32? = nil   // defaults to the masked crc32c of `bytes`
    }

    /// Writes `prefix.index` and a single shard `prefix.data-00000-of-00001` (sparse where offsets leave gaps).
    static func write(prefix: String, tensors: [Tensor]) throws {
        var entries: [([UInt8], [UInt8])] = [([], [0x08, 0x01])]   // "" -> BundleHeaderProto{num_shards: 1}
        for t in tensors.sorted(by: { $0.name < $1.name }) {
            var shape: [UInt8] = []
            for d in t.shape {
                let dim = [0x08] + varint(d)
                shape += [0x12] + varint(dim.count) + dim
            }
            var e: [UInt8] = [0x08] + varint(t.dtype) + [0x12] + varint(shape.count) + shape
            e += [0x20] + varint(t.offset) + [0x28] + varint(t.bytes.count)
            let crc = t.crc ?? CRC32C.mask(CRC32C.checksum(t.bytes))
            e += [0x35] + withUnsafeBytes(of: crc.littleEndian, Array.init)
            entries.append((Array(t.name.utf8), e))
        }
        let index = TensorBundleIndexWriter.encode(entries: entries.map { (key: $0.0, value: $0.1) })
        try Data(index).write(to: URL(fileURLWithPath: prefix + ".index"))

        let shard = prefix + ".data-00000-of-00001"
        FileManager.default.createFile(atPath: shard, contents: nil)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: shard))
        for t in tensors {
            try h.seek(toOffset: UInt64(t.offset))
            try h.write(contentsOf: Data(t.bytes))
        }
        try h.close()
    }

    static func varint(_ value: Int) -> [UInt8] { TensorBundleIndexWriter.varint(UInt64(value)) }

    static func floatBytes(_ values: [Float]) -> [UInt8] { values.withUnsafeBytes(Array.init) }
}
