import ConvertWeightsKit
import Foundation
import Testing

/// Hostile TF checkpoints give errors naming the file, never a trap or a leak (inputs found by
/// Tools/fuzz/fuzz-tf-bundle, and their neighbours).
@Suite("TF tensor bundles: hostile indexes")
struct TensorBundleRegressionTests {
    /// A fresh prefix in a temporary folder.
    static func prefix() -> String { Fixtures.temporaryDirectory().appendingPathComponent("ckpt").path }

    @Test("the fuzzer's input: a field length near Int.max in an entry is an error, not an overflow trap")
    func entryLengthOverflow() throws {
        let prefix = Self.prefix()
        try FileManager.default.copyItem(at: Fixtures.root.appendingPathComponent("fuzz/tf-bundle-entry-length-overflow.index"),
                                         to: URL(fileURLWithPath: prefix + ".index"))
        #expect { try TensorBundleReader(prefix: prefix) } throws: {
            guard case .corruptIndex(let file, let reason) = $0 as? ConversionError else { return false }
            return file == prefix + ".index" && reason.contains("truncated")
        }
    }

    @Test("an empty index is an error found before reading (Foundation leaks reading an empty file)")
    func emptyIndex() throws {
        let prefix = Self.prefix()
        FileManager.default.createFile(atPath: prefix + ".index", contents: Data())
        #expect { try TensorBundleReader(prefix: prefix) } throws: { "\($0)".contains("0 bytes, shorter than the 48-byte footer") }
    }

    @Test("block handles past the end, however large, are errors")
    func blockHandleOverflow() throws {
        for (offset, size) in [(UInt64(Int.max), UInt64(4)), (0, UInt64(Int.max)), (UInt64(Int.max - 2), UInt64(Int.max - 2))] {
            let prefix = Self.prefix()
            var footer = TensorBundleIndexWriter.varint(0) + TensorBundleIndexWriter.varint(0)
                + TensorBundleIndexWriter.varint(offset) + TensorBundleIndexWriter.varint(size)
            footer += [UInt8](repeating: 0, count: 40 - footer.count)
            footer += withUnsafeBytes(of: UInt64(0xdb47_7524_8b80_fb57).littleEndian, Array.init)
            try Data(footer).write(to: URL(fileURLWithPath: prefix + ".index"))
            #expect { try TensorBundleReader(prefix: prefix) } throws: { "\($0)".contains("lies outside the file") }
        }
    }

    @Test("shapes whose element count overflows, negative dimensions and offsets past Int.max are errors")
    func tensorArithmeticOverflow() throws {
        let cases: [(shape: [Int], offset: Int, expected: String)] = [
            ([1 << 31, 1 << 31, 4], 0, "records"),              // 2^64 values: the product overflows
            ([Int.max / 2, 3], 0, "records"),
            ([-1, -4], 0, "records"),                            // product 4, but a negative dimension
            ([1], Int.max - 1, "needs 4 bytes from byte"),       // offset + size would overflow
        ]
        for c in cases {
            let prefix = Self.prefix()
            try TensorBundleWriter.write(prefix: prefix, tensors: [
                .init(name: "w", shape: [1], offset: 0, bytes: TensorBundleWriter.floatBytes([1])),
            ])
            // Rewrite the index alone, with the hostile entry (the writer would try to place its bytes at the offset).
            var shape: [UInt8] = []
            for d in c.shape {
                let dim = [0x08] + TensorBundleIndexWriter.varint(UInt64(bitPattern: Int64(d)))
                shape += [0x12] + TensorBundleIndexWriter.varint(UInt64(dim.count)) + dim
            }
            let size = c.expected == "records" ? 16 : 4
            let entry: [UInt8] = [0x08, 0x01, 0x12] + TensorBundleIndexWriter.varint(UInt64(shape.count)) + shape
                + [0x20] + TensorBundleIndexWriter.varint(UInt64(c.offset)) + [0x28] + TensorBundleIndexWriter.varint(UInt64(size))
            let index = TensorBundleIndexWriter.encode(entries: [([], [0x08, 0x01]), (Array("w".utf8), entry)])
            try Data(index).write(to: URL(fileURLWithPath: prefix + ".index"))
            let reader = try TensorBundleReader(prefix: prefix)
            #expect(throws: ConversionError.self) { try reader.readFloats("w") }
            #expect { try reader.readFloats("w") } throws: { "\($0)".contains(c.expected) }
        }
    }
}
