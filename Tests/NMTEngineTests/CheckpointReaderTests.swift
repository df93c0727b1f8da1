import ConvertWeightsKit
import Foundation
import Testing

@Suite("TF tensor-bundle reader")
struct CheckpointReaderTests {
    let prefix = Fixtures.engineCase("prenorm").appendingPathComponent("tf_ckpts/ckpt-0").path

    @Test("reads the oracle's checkpoint: names, shapes, values")
    func readsFixture() throws {
        let reader = try TensorBundleReader(prefix: prefix)
        #expect(reader.index.entries.count == 115)
        #expect(reader.index.shardCount == 1)
        #expect(try reader.entry("NmtModel/Shared_Embedding/Weights").shape == [100, 64])
        #expect(try reader.entry("NmtModel/mini_xlm_encoder/layer_1/encoder_self_attention/rpr_k").shape == [33, 16])
        let scale = try reader.readFloats("NmtModel/encoder/layer_norm/layer_norm_scale")
        #expect(scale.count == 64)
        // oracle_tiny.py draws LN scales as 1 + 0.1 * randn.
        #expect(scale.allSatisfy { $0 > 0.4 && $0 < 1.6 })
    }

    @Test("crc32c matches the standard check value")
    func crcCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
    }

    @Test("64-bit offsets: a tensor stored past 4 GiB in a sparse shard")
    func largeOffsets() throws {
        let dir = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let values: [Float] = [1.5, -2, 3.25, 4]
        let p = dir.appendingPathComponent("ckpt-0").path
        try TensorBundleWriter.write(prefix: p, tensors: [
            .init(name: "far", shape: [2, 2], offset: 5 << 30, bytes: TensorBundleWriter.floatBytes(values)),
        ])
        let reader = try TensorBundleReader(prefix: p)
        #expect(try reader.entry("far").offset == 5 << 30)
        #expect(try reader.readFloats("far") == values)
    }

    @Test("a corrupt tensor fails its crc32c, naming file and tensor")
    func corruptData() throws {
        let dir = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = dir.appendingPathComponent("ckpt-0").path
        var bytes = TensorBundleWriter.floatBytes([1, 2, 3, 4])
        let crc = CRC32C.mask(CRC32C.checksum(bytes))
        bytes[5] ^= 0x40                                   // damage after the crc was taken
        try TensorBundleWriter.write(prefix: p, tensors: [.init(name: "w", shape: [4], offset: 0, bytes: bytes, crc: crc)])
        let error = #expect(throws: ConversionError.self) { try TensorBundleReader(prefix: p).readFloats("w") }
        guard case let .checksumMismatch(file, tensor, _, _)? = error else { Issue.record("wrong error \(String(describing: error))"); return }
        #expect(file.hasSuffix("ckpt-0.data-00000-of-00001"))
        #expect(tensor == "w")
    }

    @Test("a truncated data shard is reported with the tensor that needs the missing bytes")
    func truncatedData() throws {
        let dir = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = Fixtures.engineCase("prenorm").appendingPathComponent("tf_ckpts")
        for f in ["ckpt-0.index", "ckpt-0.data-00000-of-00001"] {
            try FileManager.default.copyItem(at: src.appendingPathComponent(f), to: dir.appendingPathComponent(f))
        }
        let shard = dir.appendingPathComponent("ckpt-0.data-00000-of-00001").path
        #expect(truncate(shard, 1000) == 0)
        let reader = try TensorBundleReader(prefix: dir.appendingPathComponent("ckpt-0").path)
        let error = #expect(throws: ConversionError.self) { try reader.readFloats("NmtModel/Shared_Embedding/Weights") }
        #expect("\(error!)".contains("NmtModel/Shared_Embedding/Weights"))
        #expect("\(error!)".contains("truncated"))
    }

    @Test("a damaged or truncated index is rejected with the file named")
    func corruptIndex() throws {
        let dir = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let index = try Data(contentsOf: URL(fileURLWithPath: prefix + ".index"))
        let p = dir.appendingPathComponent("ckpt-0").path
        try index.prefix(index.count - 10).write(to: URL(fileURLWithPath: p + ".index"))
        #expect(throws: ConversionError.self) { try TensorBundleIndex(prefix: p) }
        var flipped = [UInt8](index)
        flipped[40] ^= 0xff                                   // inside the first data block: its crc fails
        try Data(flipped).write(to: URL(fileURLWithPath: p + ".index"))
        let error = #expect(throws: ConversionError.self) { try TensorBundleIndex(prefix: p) }
        #expect("\(error!)".contains("ckpt-0.index"))
        #expect(throws: ConversionError.self) { try TensorBundleIndex(prefix: dir.appendingPathComponent("absent").path) }
    }

    @Test("a non-float32 tensor is refused by name")
    func wrongDType() throws {
        let dir = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = dir.appendingPathComponent("ckpt-0").path
        try TensorBundleWriter.write(prefix: p, tensors: [.init(name: "d", dtype: 2, shape: [1], offset: 0, bytes: [UInt8](repeating: 0, count: 8))])
        let error = #expect(throws: ConversionError.self) { try TensorBundleReader(prefix: p).readFloats("d") }
        #expect(error == .wrongDType(file: p + ".index", tensor: "d", dtype: 2))
        #expect("\(error!)".contains("float64"))
    }
}
