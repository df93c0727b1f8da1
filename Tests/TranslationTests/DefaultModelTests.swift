import Foundation
import NMTEngine
import Testing
@testable import Translation

/// The shipped default models (Weights/csanmt-zh2en-small, Weights/csanmt-en2zh-small) against ModelScope's TF
/// pipeline run on the same weights (Tests/Fixtures/default-model and default-model-en2zh, made by
/// Tools/goldens/make_default_model_goldens.py).
@Suite("Shipped default models")
struct DefaultModelTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// (golden folder under Tests/Fixtures, model folder under Weights) for each shipped direction.
    static let shipped = [("default-model", "csanmt-zh2en-small"), ("default-model-en2zh", "csanmt-en2zh-small")]

    @Test("ids, beams and text equal ModelScope's on real trained weights", arguments: shipped)
    func parityWithModelScope(fixture: String, model: String) async throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("Tests/Fixtures/\(fixture)/expected.jsonl"), encoding: .utf8)
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
            let translator = try EngineTranslator(modelDirectory: Self.root.appendingPathComponent("Weights/\(model)"))
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

    @Test("translates an English sentence into Chinese characters out of the box")
    func outOfTheBoxEnglish() async throws {
        let out = try await offCooperativePool {
            let translator = try EngineTranslator(modelDirectory: Self.root.appendingPathComponent("Weights/csanmt-en2zh-small"))
            return try translator.translateNow(["The weather is nice today."], options: .init())[0].text
        }
        let han = out.unicodeScalars.filter { (0x4E00...0x9FFF).contains($0.value) }.count
        #expect(han >= 2, "\(out)")
        #expect(!out.unicodeScalars.contains { ("a"..."z").contains($0) }, "no English words left: \(out)")
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

    /// 368 characters of clauses joined by commas, with no full stop: one "sentence" of about 240 pieces.
    static let commaParagraph = "今天上午，市政府召开新闻发布会，介绍了今年城市建设的主要进展，包括新建的三条地铁线路，改造的老旧小区，以及正在规划中的滨江公园，发言人表示，这些项目将在明年年底前全部完工，届时市民的出行时间将平均缩短二十分钟，居住环境也会得到明显改善，此外，政府还将加大对中小企业的扶持力度，提供更多的低息贷款和税收优惠，帮助他们渡过难关，同时鼓励年轻人返乡创业，发展特色农业和乡村旅游，记者在现场注意到，不少市民代表对这些措施表示欢迎，但也有人担心资金来源和工程质量问题，希望政府能够公开更多细节，接受社会监督，发言人回应说，所有项目都会按照规定进行公开招标，并定期公布进展情况，欢迎大家提出意见和建议，共同把城市建设得更加美好，会后，多位专家接受采访时指出，城市发展不仅要注重速度，更要注重质量和可持续性，要让每一位市民都能真正感受到发展带来的好处"

    /// Counts the chunks the translator reports as cut.
    final class TruncationCounter: SchedulerObserver, @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        var chunks: Int { lock.lock(); defer { lock.unlock() }; return count }
        func truncated(chunks: Int) { lock.lock(); count += chunks; lock.unlock() }
        func queueDepth(_ sentences: Int) {}
        func batchRan(sentences: Int, sourceTokens: Int, outputTokens: Int, seconds: Double) {}
        func sentencesDropped(_ count: Int) {}
        func engineTime(tenant: String, seconds: Double) {}
        func queueWait(tenant: String, seconds: Double) {}
    }

    @Test("a long paragraph of commas and no full stop: every chunk ends with </s>, nothing is flagged")
    func longParagraphNotCut() async throws {
        let counter = TruncationCounter()
        var options = BatchingOptions()
        options.workers = 1
        let translator = try EngineTranslator(modelDirectory: Self.root.appendingPathComponent("Weights/csanmt-zh2en-small"),
                                              batching: options, observer: counter)
        #expect(Self.commaParagraph.count == 368)
        let pieces = try translator.pipeline.encode(Self.commaParagraph).pieces.count
        #expect(pieces > 200, "the paragraph is longer than the fixed 100-step budget could translate")
        let served = try await translator.translate(TranslationJob(texts: [Self.commaParagraph], pair: translator.directions[0],
                                                                   owner: SchedulingClass(tenant: "t")))
        #expect(served.map(\.truncated) == [false])
        #expect(served[0].text.split(separator: " ").count > 100, "\(served[0].text)")
        #expect(counter.chunks == 0)
    }

    @Test("a translation that runs out of steps is flagged and counted, not passed off as complete")
    func cutIsFlagged() async throws {
        let counter = TruncationCounter()
        let out = try await offCooperativePool {
            let translator = try EngineTranslator(modelDirectory: Self.root.appendingPathComponent("Weights/csanmt-zh2en-small"),
                                                  observer: counter)
            // ModelScope's exact mode with a 5-step budget: the sentence cannot be finished.
            return try translator.translateNow(["今天天气很好，我们一起去公园散步吧。", ""], options: .init(maxLength: 5), splitSentences: false)
        }
        #expect(out.map(\.truncated) == [true, false])
        #expect(out[0].text.split(separator: " ").count <= 5)
        #expect(counter.chunks == 1)
    }
}
