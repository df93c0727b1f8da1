import Foundation
import NMTEngine
import Testing
@testable import Translation

/// The shipped default model (Weights/csanmt-zh2en-small) against ModelScope's TF pipeline run on the same weights
/// (Tests/Fixtures/default-model, made by Tools/goldens/make_default_model_goldens.py).
@Suite("Shipped default model")
struct DefaultModelTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("ids, beams and text equal ModelScope's on real trained weights")
    func parityWithModelScope() async throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("Tests/Fixtures/default-model/expected.jsonl"), encoding: .utf8)
        var cases: [(sentence: String, ids: [Int32], output: [Int32], translation: String)] = []
        for line in text.split(separator: "\n") {
            let j = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            cases.append((try #require(j["text"] as? String), try #require(j["input_ids"] as? [Int]).map(Int32.init),
                          try #require(j["output_ids"] as? [Int]).map(Int32.init), try #require(j["translation"] as? String)))
        }
        #expect(cases.count == 10)
        let sentences = cases.map(\.sentence)
        // (ids, best beam, text) per sentence, computed off the cooperative pool; checked here, in the test's task.
        let got = try await offCooperativePool {
            let translator = try EngineTranslator(modelDirectory: Self.root.appendingPathComponent("Weights/csanmt-zh2en-small"))
            return try sentences.map { sentence in
                let ids = try translator.pipeline.encode(sentence).ids
                let best = try translator.model.translate([ids], options: .init(beamSize: 4))[0][0].tokens
                return (ids, best, try translator.translateNow([sentence], options: .init(), splitSentences: false)[0].text)
            }
        }
        for (c, g) in zip(cases, got) {
            #expect(g.0 == c.ids, "ids of \(c.sentence)")
            #expect(g.1 == c.output, "beam of \(c.sentence)")
            #expect(g.2 == c.translation, "text of \(c.sentence)")
        }
    }

    @Test("translates a Chinese sentence into English words out of the box")
    func outOfTheBox() async throws {
        let out = try await offCooperativePool {
            let translator = try EngineTranslator(modelDirectory: Self.root.appendingPathComponent("Weights/csanmt-zh2en-small"))
            return try translator.translateNow(["今天天气很好。"], options: .init())[0].text
        }
        #expect(!out.isEmpty)
        #expect(out.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(out.split(separator: " ").count >= 2)
    }

    @Test("the server path (scheduler) keeps paragraphs, blank lines and indentation, and equals the CLI path")
    func paragraphsThroughScheduler() async throws {
        var options = BatchingOptions()
        options.workers = 2
        let translator = try EngineTranslator(modelDirectory: Self.root.appendingPathComponent("Weights/csanmt-zh2en-small"),
                                              batching: options)
        let text = "今天天气很好。我们去公园。\n\n  第二段只有一句。\n第三行。"
        let out = try await translator.translate([text, "你好。"], pair: translator.directions[0])
        #expect(out.count == 2)
        let paragraphs = out[0].components(separatedBy: "\n")
        #expect(paragraphs.count == 4, "\(out[0])")
        #expect(paragraphs[1].isEmpty && paragraphs[2].hasPrefix("  ") && !paragraphs[0].isEmpty && !paragraphs[3].isEmpty)
        let cli = try await offCooperativePool { try translator.translateNow([text, "你好。"], options: .init()).map(\.text) }
        #expect(out == cli)
    }
}
