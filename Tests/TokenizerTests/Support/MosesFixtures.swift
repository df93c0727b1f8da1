import Foundation
import Testing
@testable import Tokenizer

/// Paths and loaders for the Moses and BPE golden fixtures (Tests/Fixtures/tokenizer/{moses,bpe}, made by
/// Tools/goldens/make_moses_goldens.py and make_bpe_goldens.py from sacremoses 0.2.0 / subword-nmt 0.3.8).
enum MosesFixtures {
    static let tokenizerRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/tokenizer")

    static func moses(_ name: String) -> URL { tokenizerRoot.appendingPathComponent("moses/\(name)") }
    static func bpe(_ name: String) -> URL { tokenizerRoot.appendingPathComponent("bpe/\(name)") }

    /// Decodes one JSON object per non-empty line.
    static func jsonLines<Row: Decodable>(_ url: URL, as type: Row.Type = Row.self) throws -> [Row] {
        let text = try String(contentsOf: url, encoding: .utf8)
        let decoder = JSONDecoder()
        return try text.split(separator: "\n", omittingEmptySubsequences: true).map { line in
            try decoder.decode(Row.self, from: Data(line.utf8))
        }
    }

    /// Code-point equality (Swift's `==` on `String` is canonical equivalence, Python's is code points).
    static func same(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.elementsEqual(b.unicodeScalars)
    }

    /// Python `str.split()`, on code points (Swift's `split` on `Character`s would keep " \u{301}" together).
    static func pythonSplit(_ text: String) -> [String] {
        MosesScalarText.splitOnWhitespace(MosesScalarText.scalars(of: text)).map { MosesScalarText.string(from: $0) }
    }

    static func same(_ a: [String], _ b: [String]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { same($0, $1) }
    }
}

/// Counts identical outputs and records the first few mismatches as test issues.
struct MosesParityCounter {
    let name: String
    private(set) var identical = 0
    private(set) var total = 0
    private var reported = 0

    init(_ name: String) { self.name = name }

    mutating func check(_ identicalOutput: Bool, _ describe: @autoclosure () -> String,
                        sourceLocation: SourceLocation = #_sourceLocation) {
        total += 1
        if identicalOutput {
            identical += 1
        } else if reported < 5 {
            reported += 1
            Issue.record("\(name) mismatch: \(describe())", sourceLocation: sourceLocation)
        }
    }

    /// Prints "name: identical/total" (collected into the parity report).
    func report() {
        print("[parity] \(name): \(identical)/\(total) identical")
    }
}
