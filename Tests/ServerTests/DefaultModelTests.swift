import Foundation
import NMTEngine
import Testing
@testable import Server

/// The shipped default model (Weights/csanmt-zh2en-small) against ModelScope's TF pipeline run on the same weights
/// (Tests/Fixtures/default-model, made by Tools/goldens/make_default_model_goldens.py).
@Suite("Shipped default model")
struct DefaultModelTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("ids, beams and text equal ModelScope's on real trained weights")
    func parityWithModelScope() throws {
        let translator = try EngineTranslator(modelDirectory: Self.root.appendingPathComponent("Weights/csanmt-zh2en-small"))
        let text = try String(contentsOf: Self.root.appendingPathComponent("Tests/Fixtures/default-model/expected.jsonl"), encoding: .utf8)
        var cases = 0
        for line in text.split(separator: "\n") {
            let j = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let sentence = try #require(j["text"] as? String)
            let ids = try #require(j["input_ids"] as? [Int]).map(Int32.init)
            #expect(try translator.pipeline.encode(sentence).ids == ids, "ids of \(sentence)")
            let best = try translator.model.translate([ids], options: .init(beamSize: 4))[0][0]
            #expect(best.tokens == (try #require(j["output_ids"] as? [Int])).map(Int32.init), "beam of \(sentence)")
            #expect(try translator.translateNow([sentence], options: .init(), splitSentences: false) == [try #require(j["translation"] as? String)])
            cases += 1
        }
        #expect(cases == 10)
    }

    @Test("translates a Chinese sentence into English words out of the box")
    func outOfTheBox() throws {
        let translator = try EngineTranslator(modelDirectory: Self.root.appendingPathComponent("Weights/csanmt-zh2en-small"))
        let out = try translator.translateNow(["今天天气很好。"], options: .init())[0]
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
        #expect(out == (try translator.translateNow([text, "你好。"], options: .init())))
    }
}
