import ConvertWeightsKit
import Foundation
import NMTEngine
import Testing

@Suite("convert-weights")
struct ConverterTests {
    /// Copies a fixture's ModelScope folder so a test can damage it.
    func copyOfFixture(_ name: String = "prenorm") throws -> URL {
        let dir = Fixtures.temporaryDirectory().appendingPathComponent("ms")
        try FileManager.default.copyItem(at: Fixtures.engineCase(name), to: dir)
        return dir
    }

    /// Rewrites one key of the `model` section of configuration.json.
    func setModelKey(_ dir: URL, _ key: String, _ value: Any) throws {
        let url = dir.appendingPathComponent("configuration.json")
        var root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        var model = root["model"] as! [String: Any]
        model[key] = value
        root["model"] = model
        try JSONSerialization.data(withJSONObject: root).write(to: url)
    }

    @Test("writes config, weights and tokenizer files; the result reloads")
    func convertsAndCopiesTokenizerFiles() throws {
        let input = try copyOfFixture()
        defer { try? FileManager.default.removeItem(at: input.deletingLastPathComponent()) }
        try "</s>\nhello\n".write(to: input.appendingPathComponent("src_vocab.txt"), atomically: true, encoding: .utf8)
        try "#version: 0.2\n".write(to: input.appendingPathComponent("bpe.zh"), atomically: true, encoding: .utf8)
        let out = input.deletingLastPathComponent().appendingPathComponent("model")
        let report = try ModelConverter(input: input, output: out).run()
        #expect(report.tensors == 115)
        #expect(report.parameters == 270_784)
        #expect(report.tokenizerFiles.sorted() == ["bpe.zh", "src_vocab.txt"])
        let model = try CSANMTModel(directory: out)
        #expect(model.config.tokenizer.srcVocab == "src_vocab.txt")
        #expect(model.config.tokenizer.srcBPE == "bpe.zh")
        #expect(model.config.decoding == .init(beamSize: 4, lengthPenalty: 0.6, maxLength: 20))
        #expect(model.parameterCount == 270_784)
    }

    @Test("refuses to overwrite without --force; a failed forced run keeps the old output")
    func overwriteProtection() throws {
        let input = try copyOfFixture()
        let base = input.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: base) }
        let out = base.appendingPathComponent("model")
        _ = try ModelConverter(input: input, output: out).run()
        #expect(throws: ConversionError.outputExists(path: out.path)) { try ModelConverter(input: input, output: out).run() }
        try setModelKey(input, "filter_size", 256)        // now the conversion fails…
        #expect(throws: ConversionError.self) { try ModelConverter(input: input, output: out, force: true).run() }
        #expect(try CSANMTModel(directory: out).config.filterSize == 128)   // …and the old model is intact
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: base.path).filter { $0.contains("partial") }
        #expect(leftovers.isEmpty)
    }

    @Test("a shape that disagrees with the config names the tensor and both shapes")
    func shapeMismatch() throws {
        let input = try copyOfFixture()
        defer { try? FileManager.default.removeItem(at: input.deletingLastPathComponent()) }
        try setModelKey(input, "filter_size", 256)
        let out = input.deletingLastPathComponent().appendingPathComponent("model")
        let error = #expect(throws: ConversionError.self) { try ModelConverter(input: input, output: out).run() }
        #expect(error == .shapeMismatch(file: input.appendingPathComponent("tf_ckpts/ckpt-0.index").path,
                                        tensor: "NmtModel/encoder/layer_0/ffn_layer/input_layer/linear/matrix",
                                        found: [64, 128], expected: [64, 256]))
    }

    @Test("a missing tensor is named")
    func missingTensor() throws {
        let input = try copyOfFixture()
        defer { try? FileManager.default.removeItem(at: input.deletingLastPathComponent()) }
        try setModelKey(input, "num_encoder_layers", 3)
        let out = input.deletingLastPathComponent().appendingPathComponent("model")
        let error = #expect(throws: ConversionError.self) { try ModelConverter(input: input, output: out).run() }
        guard case let .missingTensor(_, tensor)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(tensor.hasPrefix("NmtModel/encoder/layer_2/"))
    }

    @Test("unsupported configs are refused with the key at fault", arguments: [
        ("layer_preproc", "\"rms_norm\""), ("shared_source_target_embedding", "false"), ("num_heads", "5"),
        ("position_info_type", "\"relative\""),
    ])
    func unsupportedConfig(_ key: String, _ jsonValue: String) throws {
        let input = try copyOfFixture()
        defer { try? FileManager.default.removeItem(at: input.deletingLastPathComponent()) }
        try setModelKey(input, key, try JSONSerialization.jsonObject(with: Data(jsonValue.utf8), options: .fragmentsAllowed))
        let out = input.deletingLastPathComponent().appendingPathComponent("model")
        let error = #expect(throws: ConversionError.self) { try ModelConverter(input: input, output: out).run() }
        guard case let .unsupportedConfig(file, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(file.hasSuffix("configuration.json"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test("a corrupted data shard fails on the damaged tensor's crc32c")
    func corruptShard() throws {
        let input = try copyOfFixture()
        defer { try? FileManager.default.removeItem(at: input.deletingLastPathComponent()) }
        let shard = input.appendingPathComponent("tf_ckpts/ckpt-0.data-00000-of-00001")
        var bytes = [UInt8](try Data(contentsOf: shard))
        bytes[bytes.count / 2] ^= 0x10
        try Data(bytes).write(to: shard)
        let out = input.deletingLastPathComponent().appendingPathComponent("model")
        let error = #expect(throws: ConversionError.self) { try ModelConverter(input: input, output: out).run() }
        guard case let .checksumMismatch(file, tensor, _, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(file == shard.path)
        #expect(tensor.hasPrefix("NmtModel/"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }
}
