import Foundation
import NMTEngine
import Testing

@Suite("Engine input validation and model-folder errors")
struct EngineInputTests {
    @Test("bad ids, id 0, over-long sources and bad options get clear errors; empty input gives empty output")
    func badInput() throws {
        let (model, tmp) = try Fixtures.convertAndLoad("prenorm")
        defer { try? FileManager.default.removeItem(at: tmp) }
        #expect(try model.translate([]).isEmpty)
        #expect(throws: EngineError.self) { try model.translate([[5, 100]]) }      // V = 100
        #expect(throws: EngineError.self) { try model.translate([[5, -1]]) }
        #expect(throws: EngineError.self) { try model.translate([[5, 0, 7]]) }     // </s> inside a source
        let limit = model.config.maxSourceLength
        let error = #expect(throws: EngineError.self) { try model.translate([[5], Array(repeating: 5, count: limit + 1)]) }
        #expect("\(error!)".contains("\(limit)"))
        #expect(throws: EngineError.self) { try model.translate([[5]], options: .init(beamSize: 0)) }
        #expect(throws: EngineError.self) { try model.translate([[5]], options: .init(maxLength: 0)) }
        let huge = #expect(throws: EngineError.self) {
            try model.translate(Array(repeating: [5], count: 100_000), options: .init(beamSize: 64, maxLength: 1024))
        }
        #expect("\(huge!)".contains("smaller batches"))
        // An empty source is just </s>: well defined, decodes.
        #expect(try model.translate([[]], options: .init(maxLength: 3))[0].count == 4)
    }

    @Test("missing folder, missing config, corrupt config and truncated weights name the file")
    func brokenModelFolders() throws {
        let (_, tmp) = try Fixtures.convertAndLoad("prenorm")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let model = tmp.appendingPathComponent("model")
        let missing = #expect(throws: EngineError.self) { try CSANMTModel(directory: tmp.appendingPathComponent("nope")) }
        #expect("\(missing!)".contains("nope"))

        let weights = model.appendingPathComponent("model.safetensors")
        let full = try Data(contentsOf: weights)
        try full.prefix(full.count - 100).write(to: weights)
        let truncated = #expect(throws: EngineError.self) { try CSANMTModel(directory: model) }
        #expect("\(truncated!)".contains("model.safetensors"))
        try full.write(to: weights)

        let config = model.appendingPathComponent("config.json")
        try Data("{\"hidden_size\": 64".utf8).write(to: config)
        let corrupt = #expect(throws: EngineError.self) { try CSANMTModel(directory: model) }
        #expect("\(corrupt!)".contains("config.json"))
        try FileManager.default.removeItem(at: config)
        let absent = #expect(throws: EngineError.self) { try CSANMTModel(directory: model) }
        #expect("\(absent!)".contains("config.json"))
    }
}
