import Foundation

/// The jieba golden fixtures (Tests/Fixtures/tokenizer/jieba/*.jsonl, made by Tools/goldens/make_jieba_goldens.py
/// with Python jieba 0.42.1): one `{"text": ..., "words": [...]}` per line.
enum JiebaGoldens {
    struct Case: Decodable {
        let text: String
        let words: [String]
    }

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/tokenizer/jieba")

    static let files = ["flores200_devtest.jsonl", "wmt17_first1000.jsonl", "train_sample.jsonl", "edge_cases.jsonl",
                        "random_sample.jsonl"]

    /// Extra golden files (every *.jsonl of the folder named by JIEBA_EXTRA_GOLDENS), for uncommitted big runs.
    static var extraFiles: [URL] {
        guard let path = ProcessInfo.processInfo.environment["JIEBA_EXTRA_GOLDENS"] else { return [] }
        let folder = URL(fileURLWithPath: path)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { $0.hasSuffix(".jsonl") }.sorted().map { folder.appendingPathComponent($0) }
    }

    static func load(_ url: URL) throws -> [Case] {
        let data = try Data(contentsOf: url)
        let decoder = JSONDecoder()
        return try data.split(separator: UInt8(ascii: "\n")).map { try decoder.decode(Case.self, from: Data($0)) }
    }

    /// Words as code point arrays: Swift's `String ==` treats canonically equivalent strings as equal, jieba doesn't.
    static func codePoints(_ words: [String]) -> [[UInt32]] { words.map { $0.unicodeScalars.map(\.value) } }
}
