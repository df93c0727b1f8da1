import ConvertWeightsKit
import Foundation
import Testing
@testable import NMTEngine

/// `convert-weights --storage int8` folders: their layout, how they load, and the errors for bad ones.
@Suite("int8 storage")
struct Int8StorageTests {
    /// Converts the engine fixture `name` twice, to f32 and to int8, under one temporary folder.
    static func convertBoth(_ name: String) throws -> (base: URL, f32: URL, int8: URL) {
        let base = Fixtures.temporaryDirectory()
        let f32 = base.appendingPathComponent("f32"), int8 = base.appendingPathComponent("int8")
        _ = try ModelConverter(input: Fixtures.engineCase(name), output: f32, storage: .f32).run()
        _ = try ModelConverter(input: Fixtures.engineCase(name), output: int8, storage: .int8).run()
        return (base, f32, int8)
    }

    @Test("matrices and embeddings are I8 [out, in] / [V, H] with F32 scales, the rest F32, in about a quarter of the bytes")
    func layout() throws {
        let (base, f32, int8) = try Self.convertBoth("prenorm")
        defer { try? FileManager.default.removeItem(at: base) }
        let file = try SafeTensorsFile(path: int8.appendingPathComponent("model.safetensors").path)
        let model = try CSANMTModel(directory: f32)
        #expect(file.metadata[QuantizedLayout.metadataKey] == QuantizedLayout.metadataValue)
        var quantized = 0
        for spec in CheckpointLayout.tensors(for: model.config) {
            let entry = try #require(file.entries[spec.name])
            if QuantizedLayout.isQuantized(spec.name) {
                quantized += 1
                #expect(entry.dtype == .i8)
                let expected = QuantizedLayout.isEmbedding(spec.name) ? spec.shape : [spec.shape[1], spec.shape[0]]
                #expect(entry.shape == expected, "\(spec.name)")
                let scale = try #require(file.entries[spec.name + ".scale"])
                #expect(scale.dtype == .f32 && scale.shape == [expected[0]])
            } else {
                #expect(entry.dtype == .f32 && entry.shape == spec.shape, "\(spec.name)")
            }
        }
        // Two embeddings, 4 matrices per encoder and semantic layer, 9 per decoder layer, the pooling.
        let c = model.config
        #expect(quantized == 2 + 4 * (c.numEncoderLayers + c.numSemanticEncoderLayers) + 9 * c.numDecoderLayers + 1)
        let sizes = try [f32, int8].map {
            try #require(FileManager.default.attributesOfItem(atPath: $0.appendingPathComponent("model.safetensors").path)[.size] as? Int)
        }
        // 0.30 on this tiny model, whose biases and norms (kept f32) weigh more than in a real one.
        #expect(Double(sizes[1]) / Double(sizes[0]) < 0.32, "int8 \(sizes[1]) bytes against f32 \(sizes[0])")
    }

    @Test("an int8 folder loads as int8 by default and decodes exactly as its float folder quantized at load",
          arguments: ["prenorm", "postnorm", "batch3"])
    func sameAsQuantizedAtLoad(_ name: String) throws {
        let (base, f32, int8) = try Self.convertBoth(name)
        defer { try? FileManager.default.removeItem(at: base) }
        let stored = try CSANMTModel(directory: int8)
        #expect(stored.compute == .int8)
        let atLoad = try CSANMTModel(directory: f32, compute: .int8)
        let sources = try Expected(case: name).sources
        #expect(try stored.probe(sources).encoderOutput == atLoad.probe(sources).encoderOutput)
        let a = try stored.translate(sources), b = try atLoad.translate(sources)
        #expect(a.map { $0.map(\.tokens) } == b.map { $0.map(\.tokens) })
        #expect(a.map { $0.map(\.score) } == b.map { $0.map(\.score) })
    }

    @Test("an int8 folder asked for float32 compute is refused, naming a tensor and the option")
    func float32OnInt8Refused() throws {
        let (base, _, int8) = try Self.convertBoth("prenorm")
        defer { try? FileManager.default.removeItem(at: base) }
        let error = #expect(throws: EngineError.self) { try CSANMTModel(directory: int8, compute: .float32) }
        guard case let .weight(name, reason)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(QuantizedLayout.isQuantized(name))
        #expect(reason.contains("--compute int8"))
    }

    @Test("an int8 file whose scale tensor is missing or zero is refused with the tensor's name")
    func damagedScales() throws {
        let (base, _, int8) = try Self.convertBoth("prenorm")
        defer { try? FileManager.default.removeItem(at: base) }
        let path = int8.appendingPathComponent("model.safetensors")
        let original = try Data(contentsOf: path)
        // Rename the header's first scale tensor (same length, so every offset stays valid).
        let at = try #require(original.range(of: Data("matrix.scale\"".utf8)))
        var damaged = original
        damaged.replaceSubrange(at, with: Data("matrix.scalX\"".utf8))
        try damaged.write(to: path)
        let missing = #expect(throws: EngineError.self) { try CSANMTModel(directory: int8) }
        guard case let .weight(tensor, reason)? = missing else { Issue.record("got \(String(describing: missing))"); return }
        #expect(tensor.hasSuffix("/matrix"))
        #expect(reason.hasPrefix("has no scale tensor '\(tensor).scale'"))

        // Zero one scale: find the tensor's offset in the header and overwrite its first float.
        try original.write(to: path)
        let file = try SafeTensorsFile(path: path.path)
        let name = "NmtModel/encoder/layer_0/ffn_layer/input_layer/linear/matrix.scale"
        let entry = try #require(file.entries[name])
        let headerLength = Int(original.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        var zeroed = original
        zeroed.replaceSubrange((8 + headerLength + entry.begin)..<(8 + headerLength + entry.begin + 4), with: [0, 0, 0, 0])
        try zeroed.write(to: path)
        let zero = #expect(throws: EngineError.self) { try CSANMTModel(directory: int8) }
        #expect("\(zero.map { "\($0)" } ?? "")".contains("scale that is not a finite positive number"))
    }

    @Test("the converter refuses to store NaN or infinity as int8, naming the tensor and the row")
    func converterRefusesNonFinite() throws {
        let dir = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let name = "NmtModel/encoder/layer_0/ffn_layer/input_layer/linear/matrix"
        let path = dir.appendingPathComponent("w.safetensors").path
        let writer = try SafeTensorsWriter(path: path, specs: [TensorSpec(name: name, shape: [2, 3])], storage: .int8, metadata: [:])
        // [in 2, out 3]: output row 1 (the column 1) holds an infinity.
        let error = #expect(throws: ConversionError.self) { try writer.append(name, [1, .infinity, 3, 4, 5, 6]) }
        #expect(error == .notQuantizable(file: path, tensor: name, reason: "row 1 holds NaN or infinity"))
        #expect("\(error.map { "\($0)" } ?? "")".contains("cannot be stored as int8"))
    }

    @Test("quantizing in the converter and quantizing at load give the same bytes")
    func converterMatchesLoader() throws {
        let dir = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var r = OpsTests.Rand(state: 3)
        let name = "NmtModel/decoder/layer_0/ffn_layer/output_layer/linear/matrix"
        let values = r.array(7 * 5)   // [in 7, out 5]
        for storage in [SafeTensorsWriter.Storage.f32, .int8] {
            let writer = try SafeTensorsWriter(path: dir.appendingPathComponent("\(storage).safetensors").path,
                                               specs: [TensorSpec(name: name, shape: [7, 5])], storage: storage, metadata: [:])
            try writer.append(name, values)
            try writer.finish()
        }
        let fromFloat = try Int8Matrix(file: try SafeTensorsFile(path: dir.appendingPathComponent("f32.safetensors").path),
                                       name: name, checkpointShape: [7, 5])
        let fromInt8 = try Int8Matrix(file: try SafeTensorsFile(path: dir.appendingPathComponent("int8.safetensors").path),
                                      name: name, checkpointShape: [7, 5])
        #expect((0..<35).allSatisfy { fromFloat.values[$0] == fromInt8.values[$0] })
        #expect((0..<5).allSatisfy { fromFloat.scales[$0] == fromInt8.scales[$0] })
        #expect(fromFloat.dequantized(output: 2, input: 3) == Float(fromFloat.values[2 * 7 + 3]) * fromFloat.scales[2])
        #expect(abs(fromFloat.dequantized(output: 2, input: 3) - values[3 * 5 + 2]) <= fromFloat.scales[2] / 2 * 1.00001)
    }
}
