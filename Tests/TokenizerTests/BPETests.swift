import Foundation
import Testing
@testable import Tokenizer

/// One line of Tests/Fixtures/tokenizer/bpe/{en,zh,variants}.jsonl.
private struct BPERow: Decodable {
    let set: String
    let line: String
    let pieces: [String]
    /// `process_line(line)`, present only where it differs from `pieces.joined(separator: " ")`.
    let processed: String?
}

@Suite("BPE goldens (subword-nmt 0.3.8)")
struct BPEGoldenTests {
    private func codes(_ name: String) throws -> String {
        try String(contentsOf: MosesFixtures.bpe(name), encoding: .utf8)
    }

    private func check(_ bpe: BPE, rows: [BPERow], name: String) {
        var pieces = MosesParityCounter("\(name) process_line(line).strip().split()")
        var processed = MosesParityCounter("\(name) process_line(line)")
        for row in rows {
            let segmented = bpe.segment(row.line)
            pieces.check(MosesFixtures.same(segmented, row.pieces), "\(row.line) -> \(segmented) != \(row.pieces)")
            let expected = row.processed ?? row.pieces.joined(separator: " ")
            let line = bpe.processLine(row.line)
            processed.check(MosesFixtures.same(line, expected), "\(row.line.debugDescription) -> "
                            + "\(line.debugDescription) != \(expected.debugDescription)")
        }
        pieces.report()
        processed.report()
    }

    @Test("en codes (version 0.2) on Moses-tokenized English")
    func english() throws {
        let bpe = try BPE(codes: try codes("codes.en"))
        #expect(bpe.version == .v0_2)
        let rows: [BPERow] = try MosesFixtures.jsonLines(MosesFixtures.bpe("en.jsonl"))
        #expect(rows.count >= 1000)
        check(bpe, rows: rows, name: "bpe en")
    }

    @Test("zh codes (version 0.2) on jieba-segmented Chinese")
    func chinese() throws {
        let bpe = try BPE(contentsOf: MosesFixtures.bpe("codes.zh"))
        #expect(bpe.version == .v0_2)
        let rows: [BPERow] = try MosesFixtures.jsonLines(MosesFixtures.bpe("zh.jsonl"))
        #expect(rows.count >= 600)
        check(bpe, rows: rows, name: "bpe zh")
    }

    @Test("version 0.1 codes and a merge limit")
    func variants() throws {
        let rows: [BPERow] = try MosesFixtures.jsonLines(MosesFixtures.bpe("variants.jsonl"))
        let v01 = try BPE(codes: try codes("codes.en.v01"))
        #expect(v01.version == .v0_1)
        let limited = try BPE(codes: try codes("codes.en"), merges: 500)
        #expect(limited.mergeCount <= 500)
        let v01Rows = rows.filter { $0.set.hasPrefix("v01:") }
        let limitedRows = rows.filter { $0.set.hasPrefix("merges500:") }
        #expect(v01Rows.count + limitedRows.count == rows.count)
        check(v01, rows: v01Rows, name: "bpe en v0.1")
        check(limited, rows: limitedRows, name: "bpe en merges=500")
    }
}

/// Focused cases; every expected value was produced by subword-nmt 0.3.8 in the oracle venv.
@Suite("BPE rules")
struct BPERuleTests {
    static let codes = "#version: 0.2\nl o\nlo w</w>\ne r</w>\nlo w\nlow er</w>\nn e\nne w</w>\n"

    @Test("process_line", arguments: [
        ("lower low new newer lowest", "lower low new ne@@ w@@ er low@@ e@@ s@@ t"),
        (" low  lower \n", " low lower \n"),  // leading/trailing "\r\n " kept, double spaces dropped
        ("l o w", "l o w"),  // one-code-point words never merge
        ("\r\nlo\r\n", "\r\nl@@ o\r\n"),
        ("   ", "   "),
        ("lowlow", "low@@ low"),
        ("e\u{301}r \u{E9}", "e@@ \u{301}@@ r \u{E9}"),  // code points, and no canonical-equivalence mixing
    ])
    func processLine(line: String, expected: String) throws {
        let bpe = try BPE(codes: Self.codes)
        #expect(MosesFixtures.same(bpe.processLine(line), expected))
        let pieces = MosesFixtures.pythonSplit(expected)
        #expect(MosesFixtures.same(bpe.segment(line), pieces))
    }

    @Test("cache keeps canonically equivalent words apart")
    func cacheIsByCodePoints() throws {
        let bpe = try BPE(codes: "#version: 0.2\ne \u{301}</w>\n")
        #expect(bpe.encodeWord("e\u{301}") == ["e\u{301}"])
        #expect(MosesFixtures.same(bpe.encodeWord("\u{E9}"), ["\u{E9}"]))
        #expect(MosesFixtures.same(bpe.encodeWord("\u{E9}\u{E9}"), ["\u{E9}", "\u{E9}"]))
    }

    @Test("version 0.1, merge limit, header variants")
    func versions() throws {
        let v01 = try BPE(codes: "l o\nlo w\nlow </w>\ne r\ner </w>\n")
        #expect(v01.version == .v0_1)
        #expect(v01.processLine("lower low") == "low@@ er low")
        #expect(try BPE(codes: Self.codes, merges: 2).processLine("lower low") == "lo@@ w@@ e@@ r low")
        let crlf = try BPE(codes: "#version: 0.2.0\r\nl o\r\nlo w</w>\r\n")
        #expect(crlf.version == .v0_2)
        #expect(crlf.processLine("low") == "low")
        #expect(try BPE(codes: "#version: 0.2\na b\n", merges: 0).processLine("ab") == "a@@ b")
    }

    @Test("malformed codes throw", arguments: [
        ("#version: 0.2\na b c\n", BPEError.invalidMergeLine(line: 2, text: "a b c")),
        ("#version: 0.2\n", BPEError.invalidMergeLine(line: 2, text: "")),
        ("a b\n\nc d\n", BPEError.invalidMergeLine(line: 2, text: "")),
        ("a\tb\n", BPEError.invalidMergeLine(line: 1, text: "a\tb")),
        ("#version: 0.3\na b\n", BPEError.unsupportedVersion("0.3")),
        ("#version: x\na b\n", BPEError.invalidVersionHeader("#version: x\n")),
    ])
    func malformed(codes: String, error: BPEError) {
        #expect(throws: error) { try BPE(codes: codes) }
    }

    @Test("separator removal", arguments: [
        ("a@@ b@@ c d@@", "abc d"),
        ("x@@@ y", "x@y"),
        ("@@ \u{301}", "\u{301}"),
    ])
    func removeSeparators(input: String, expected: String) {
        #expect(MosesFixtures.same(BPEPostprocess.removeSeparators(input), expected))
    }
}

@Suite("BPE on over-long words")
struct BPELongWordTests {
    private func codes() throws -> String { try String(contentsOf: MosesFixtures.bpe("codes.en"), encoding: .utf8) }

    @Test("a word over 100 code points is segmented in 100-code-point parts joined as one word; shorter words are unchanged")
    func longWordsAreCut() throws {
        let cut = try BPE(codes: try codes())
        let exact = try BPE(codes: try codes(), maxWordScalars: nil)
        let word = String(repeating: "internationalization", count: 250)   // 5,000 letters
        let parts = stride(from: 0, to: 5_000, by: 100).map { start in
            String(word.unicodeScalars.dropFirst(start).prefix(100))
        }
        let expected = parts.flatMap { exact.encodeWord($0) }
        #expect(cut.encodeWord(word) == expected)
        // As one word on the line: every piece but the last carries the continuation separator.
        let segmented = cut.segment("the " + word + " end")
        #expect(segmented.first == "the" && segmented.last == "end")
        #expect(segmented.dropFirst().dropLast().dropLast().allSatisfy { $0.hasSuffix("@@") })
        #expect(segmented.count == expected.count + 2)
        // Words of up to 100 code points are segmented exactly as subword-nmt does.
        let normal = "a normal sentence with " + String(repeating: "x", count: 100) + " and internationalization"
        #expect(cut.segment(normal) == exact.segment(normal))
    }
}
