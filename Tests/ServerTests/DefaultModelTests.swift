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
}
