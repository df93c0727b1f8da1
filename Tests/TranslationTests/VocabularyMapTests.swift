import Foundation
import NMTEngine
import Testing
@testable import Translation

/// Vocabulary map files (`--vmap`) and the builder (`csanmt vmap`), on the shipped model's vocabularies.
@Suite("Vocabulary maps")
struct VocabularyMapTests {
    static let model = DefaultModelTests.root.appendingPathComponent("Weights/csanmt-zh2en-small")

    func write(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vmap-\(UUID().uuidString).txt")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test("pieces map to the model's ids; unknown pieces are skipped and counted; #ids files hold ids")
    func load() throws {
        let folder = try ModelFolder(Self.model)
        let pipeline = try folder.textPipeline(source: "zh"), english = try folder.textPipeline(source: "en")
        let url = try write("# comment\n\t. the\n天气\tweather nonexistentpiece\n不存在的词\tweather\n")
        defer { try? FileManager.default.removeItem(at: url) }
        let (shortlist, skipped) = try VocabularyMap.load(url, folder: folder)
        #expect(skipped == 2)
        #expect(shortlist.always == [english.sourceID("."), english.sourceID("the")])
        #expect(shortlist.candidates == [pipeline.sourceID("天气"): [english.sourceID("weather")]])

        let ids = try write("#ids\n\t3 4\n17\t5 99999999\n")
        defer { try? FileManager.default.removeItem(at: ids) }
        let byID = try VocabularyMap.load(ids, folder: folder)
        #expect(byID.shortlist.always == [3, 4] && byID.shortlist.candidates == [17: [5]] && byID.skipped == 1)
    }

    @Test("a line without a tab is an error naming the file and the line")
    func malformed() throws {
        let url = try write("\t.\n天气 weather\n")
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: VocabularyMapError(path: url.path, reason: "line 2 has no tab between the source piece and its target pieces")) {
            try VocabularyMap.load(url, folder: try ModelFolder(Self.model))
        }
    }

    @Test("the builder keeps the strongest co-occurring pieces first and lists the most frequent target pieces")
    func builder() throws {
        var b = try VocabularyMapBuilder(folder: try ModelFolder(Self.model))
        b.alwaysCount = 1
        b.minCount = 1
        for _ in 0..<3 { b.add(sourcePieces: "天气 很 好", targetPieces: "the weather is good") }
        b.add(sourcePieces: "咖啡 很 好", targetPieces: "the coffee is good")
        b.add(sourcePieces: "天气", targetPieces: "weather")
        let lines = b.fileText().split(separator: "\n")
        #expect(lines[1] == "\tthe" || lines[1] == "\tis" || lines[1] == "\tgood")   // each in 4 pairs; ties by id
        let weather = try #require(lines.first { $0.hasPrefix("天气\t") })
        // 天气 is in 4 pairs; "weather" in all 4 of them (Dice 1), the others in 3 of 4 + 1 more each.
        #expect(weather.split(separator: "\t")[1].split(separator: " ").first == "weather")
        let coffee = try #require(lines.first { $0.hasPrefix("咖啡\t") })
        #expect(coffee.split(separator: "\t")[1].split(separator: " ").first == "coffee")
        #expect(b.sentencePairs == 5)
    }

    @Test("a shortlist built from the words of a sentence still translates it, with fewer scored pieces")
    func translatesWithShortlist() throws {
        let url = try write("\t. , the a is\n今天\ttoday Today\n天气\tweather\n很\tvery\n好\tgood nice\n")
        defer { try? FileManager.default.removeItem(at: url) }
        let t = try EngineTranslator(modelDirectory: Self.model, vocabularyMap: url)
        let plain = try EngineTranslator(modelDirectory: Self.model)
        #expect(t.cacheIdentity != plain.cacheIdentity)
        let out = try t.translateNow(["今天天气很好。"], options: .init(), splitSentences: true)[0].text
        #expect(out.lowercased().contains("weather"))
        let words = Set(out.lowercased().split { !$0.isLetter }.map(String.init))
        #expect(words.isSubset(of: ["today", "the", "weather", "is", "very", "good", "nice", "a"]), "\(out)")
    }
}
