import ConvertWeightsKit
import Foundation
import Testing
@testable import Translation

/// Tokenising from a model folder's tokenizer files alone, in either of its languages, against ModelScope's
/// preprocessing (sacremoses + subword-nmt for en, jieba + subword-nmt for zh: Tests/Fixtures/pipeline).
@Suite("Model folders without weights")
struct ModelFolderTests {
    /// The zh→en fixture converted to a model folder, with its weights deleted (nothing may need them).
    static func zh2enFolderWithoutWeights() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csanmt-folder-\(UUID().uuidString)")
        _ = try ModelConverter(input: EndToEndPipelineTests.fixtures.appendingPathComponent("zh2en"), output: dir).run()
        try FileManager.default.removeItem(at: dir.appendingPathComponent("model.safetensors"))
        return dir
    }

    static func expected(_ direction: String) throws -> [(sentence: String, tokens: String, pieces: [String], ids: [Int32])] {
        let text = try String(contentsOf: EndToEndPipelineTests.fixtures.appendingPathComponent("\(direction)/expected.jsonl"), encoding: .utf8)
        var out: [(String, String, [String], [Int32])] = []
        for line in text.split(separator: "\n") {
            let j = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let sentences = try #require(j["sentences"] as? [String]), tokens = try #require(j["tokens"] as? [String])
            let bpe = try #require(j["bpe"] as? [[String]]), ids = try #require(j["input_ids"] as? [[Int]])
            for i in sentences.indices { out.append((sentences[i], tokens[i], bpe[i], ids[i].map(Int32.init))) }
        }
        return out
    }

    @Test("the zh→en folder tokenises English like the en→zh model's ModelScope pipeline, and Chinese like its own",
          arguments: [("en", "en2zh"), ("zh", "zh2en")])
    func bothLanguages(_ language: String, _ goldenDirection: String) throws {
        let dir = try Self.zh2enFolderWithoutWeights()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pipeline = try ModelFolder(dir).textPipeline(source: language)
        let cases = try Self.expected(goldenDirection)
        #expect(cases.count >= 5)
        for c in cases {
            let e = try pipeline.encode(c.sentence)
            // ModelScope joins jieba's words with spaces, space tokens included; words are that, split on whitespace.
            #expect(e.words == c.tokens.split(whereSeparator: \.isWhitespace).map(String.init), "\(c.sentence)")
            #expect(e.pieces == c.pieces, "\(c.sentence)")
            #expect(e.ids == c.ids, "\(c.sentence)")
        }
    }

    @Test("a language the folder does not have is an error naming the folder's languages")
    func unknownLanguage() throws {
        let dir = try Self.zh2enFolderWithoutWeights()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect { try ModelFolder(dir).textPipeline(source: "fr") } throws: { "\($0)".contains("the model's languages are zh and en, not fr") }
    }
}
