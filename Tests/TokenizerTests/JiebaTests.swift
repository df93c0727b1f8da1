import Foundation
import Testing
@testable import Tokenizer

/// The jieba port against Python jieba 0.42.1 (`jieba.cut`, precise mode, HMM on).
@Suite("jieba segmentation")
struct JiebaTests {
    // MARK: parity with Python jieba on real text

    @Test("identical to jieba.cut on every golden line", arguments: JiebaGoldens.files)
    func goldens(_ name: String) throws {
        try checkGoldens(JiebaGoldens.folder.appendingPathComponent(name))
    }

    @Test("identical to jieba.cut on the extra goldens of JIEBA_EXTRA_GOLDENS, if set")
    func extraGoldens() throws {
        for url in JiebaGoldens.extraFiles { try checkGoldens(url) }
    }

    private func checkGoldens(_ url: URL) throws {
        let segmenter = try JiebaSegmenter.shared()
        let cases = try JiebaGoldens.load(url)
        #expect(!cases.isEmpty)
        var identical = 0
        for (line, c) in cases.enumerated() {
            let words = segmenter.cut(c.text)
            if JiebaGoldens.codePoints(words) == JiebaGoldens.codePoints(c.words) {
                identical += 1
            } else {
                Issue.record("\(url.lastPathComponent):\(line + 1) \(c.text.debugDescription)\n got \(words)\nwant \(c.words)")
            }
        }
        print("jieba parity \(url.lastPathComponent): \(identical)/\(cases.count) lines identical")
        #expect(identical == cases.count)
    }

    // MARK: loading

    @Test("the bundled data is loaded once and shared")
    func sharedLoadsOnce() async throws {
        let first = try JiebaSegmenter.shared()
        let ids = try await withThrowingTaskGroup(of: ObjectIdentifier.self) { group in
            for _ in 0..<16 { group.addTask { ObjectIdentifier(try JiebaSegmenter.shared()) } }
            return try await group.reduce(into: Set<ObjectIdentifier>()) { $0.insert($1) }
        }
        #expect(ids == [ObjectIdentifier(first)])
        #expect(JiebaSegmenter.bundledLoads.value == 1)
    }

    @Test("the bundled dictionary is jieba 0.42.1's")
    func bundledDictionary() throws {
        let d = try JiebaSegmenter.shared().dictionary
        #expect(d.total == 60_101_967)          // "B超 3" is listed twice and counts twice
        #expect(d.lineCount == 349_046)
        #expect(d.wordCount == 349_045)
        #expect(d.nodeCount == 498_114)         // len(jieba.dt.FREQ) + the root
        #expect(d.frequency(of: "北京") == 34488)
        #expect(d.frequency(of: "中华人民共和国") == 9989)
        #expect(d.frequency(of: "北京大") == 0)  // a prefix, not a word
        #expect(d.frequency(of: "xyz") == nil)
        #expect(d.frequency(of: "B超") == 3)
        #expect(d.frequency(of: "γ射线") == 3)
        #expect(d.frequency(of: "") == nil)
    }

    @Test("missing or damaged data files throw")
    func damagedFiles() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("jieba-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let dictURL = try JiebaSegmenter.bundledResourceURL(JiebaSegmenter.bundledDictionaryName)
        let hmmURL = try JiebaSegmenter.bundledResourceURL(JiebaSegmenter.bundledHMMName)
        #expect(throws: JiebaError.self) {
            try JiebaSegmenter(dictionaryURL: tmp.appendingPathComponent("none.bin"), hmmURL: hmmURL)
        }
        #expect(throws: JiebaError.missingResource("nope.bin")) { try JiebaSegmenter.bundledResourceURL("nope.bin") }
        let original = try Data(contentsOf: dictURL)
        let damaged: [(String, Data)] = [
            ("empty", Data()),
            ("truncated header", original.prefix(40)),
            ("truncated payload", original.prefix(original.count - 1)),
            ("flipped byte", { var d = original; d[d.count / 2] ^= 0x40; return d }()),
            ("bad magic", { var d = original; d[0] = 0x21; return d }()),
            ("hmm file as dictionary", try Data(contentsOf: hmmURL)),
        ]
        for (what, data) in damaged {
            let url = tmp.appendingPathComponent("dict.bin")
            try data.write(to: url)
            #expect(throws: JiebaError.self, "\(what)") { try JiebaDictionary(contentsOf: url) }
        }
        let hmm = try Data(contentsOf: hmmURL)
        for data in [hmm.prefix(100), { var d = hmm; d[d.count - 3] ^= 1; return d }(), original] {
            let url = tmp.appendingPathComponent("hmm.bin")
            try data.write(to: url)
            #expect(throws: JiebaError.self) { try JiebaHMM(contentsOf: url) }
        }
    }

    // MARK: DAG and route (values from jieba 0.42.1: get_DAG / calc)

    @Test("get_DAG and calc on the default dictionary, bit for bit")
    func dagAndRoute() throws {
        let d = try JiebaSegmenter.shared().dictionary
        #expect(d.dag("北京大学生") == [[0, 1, 3], [1], [2, 3, 4], [3, 4], [4]])
        let route = d.route("北京大学生")
        #expect(route.map(\.end) == [1, 1, 4, 4, 4, 0])
        let bits: [UInt64] = [0xc031_1c85_2926_422e, 0xc032_c47c_b2b0_a932, 0xc023_4be3_8d5b_4ddd,
                              0xc01e_4ee9_8522_756c, 0xc01f_8c0f_6be1_8c74, 0]
        #expect(route.map(\.logProbability.bitPattern) == bits)
        #expect(try JiebaSegmenter.shared().cut("北京大学生") == ["北京", "大学生"])
    }

    @Test("a small text dictionary: DAG, exact route tie goes to the longer word")
    func smallDictionaryTie() throws {
        // Both 甲|乙丙 and 甲乙|丙 score (0 - log 4) + (0 - log 4): Python's max over (prob, x) takes x = 1.
        let d = try JiebaDictionary(text: "甲 1\n乙丙 1\n甲乙 1\n丙 1\n")
        #expect(d.total == 4)
        #expect(d.dag("甲乙丙") == [[0, 1], [2], [2]])
        let route = d.route("甲乙丙")
        #expect(route.map(\.end) == [1, 2, 2, 0])
        #expect(route[0].logProbability == -2.772588722239781)
        #expect(route[1].logProbability == route[2].logProbability)
        let segmenter = JiebaSegmenter(dictionary: d, hmm: try JiebaSegmenter.shared().hmm)
        #expect(segmenter.cut("甲乙丙") == ["甲乙", "丙"])
    }

    @Test("text dictionaries follow gen_pfdict: duplicates, prefixes, bad lines")
    func textDictionary() throws {
        let d = try JiebaDictionary(text: "ab 2 n\nabcd 5\nab 7\n  x 1  \n")
        #expect(d.total == 15)                  // every line counts, the last "ab" wins
        #expect(d.frequency(of: "ab") == 7)
        #expect(d.frequency(of: "abc") == 0)
        #expect(d.frequency(of: "a") == 0)
        #expect(d.frequency(of: "x") == 1)
        #expect(d.wordCount == 3)
        #expect(d.lineCount == 4)
        #expect(throws: JiebaError.invalidDictionaryLine(line: 2, text: "word")) {
            try JiebaDictionary(text: "ok 1\nword\n")
        }
        #expect(throws: JiebaError.invalidDictionaryLine(line: 2, text: "")) {
            try JiebaDictionary(text: "ok 1\n\nx 2\n")
        }
        #expect(throws: JiebaError.invalidDictionaryLine(line: 1, text: "a x")) { try JiebaDictionary(text: "a x") }
        #expect(throws: JiebaError.self) { try JiebaDictionary(text: "") }
    }

    // MARK: finalseg (values from jieba 0.42.1: finalseg.viterbi / finalseg.cut)

    @Test("Viterbi paths and log-probabilities, bit for bit", arguments: [
        ("杭研大厦", "BMME", UInt64(0xc040_e323_6d5c_1022)),
        ("小明硕士", "BEBE", 0xc03e_35c6_a34e_aa65),
        ("我", "S", 0xc017_e88b_43b5_4d6d),
        ("的的", "SS", 0xc01a_7227_c5bf_3290),
        ("丄丄", "SS", 0xd4dc_b63b_5c48_4765),      // never seen: every state MIN_FLOAT, ties by letter
        ("佴佴婨", "BME", 0xd4cc_b63b_5c48_4765),
        ("婨佴孓", "SBE", 0xd4cc_b63b_5c48_4765),
    ])
    func viterbi(_ text: String, _ path: String, _ bits: UInt64) throws {
        let hmm = try JiebaSegmenter.shared().hmm
        let result = hmm.viterbi(text.unicodeScalars.map(\.value))
        #expect(result.states.map(\.description).joined() == path)
        #expect(result.logProbability.bitPattern == bits)
    }

    @Test("finalseg.cut: Han runs by the HMM, the rest by re_skip", arguments: [
        ("abc3.14%中文", ["abc3.14%", "中文"]),
        ("杭研大厦", ["杭研大厦"]),
        ("a.b1.5.6%%x", ["a", ".", "b1.5", ".", "6%", "%", "x"]),
        ("&_+中国人民+#", ["&_+", "中国", "人民", "+#"]),
        ("12.5%", ["12.5%"]),
        ("x2.3y", ["x2.3", "y"]),
        ("3.14.15", ["3.14", ".", "15"]),
        ("", []),
    ])
    func finalsegCut(_ text: String, _ words: [String]) throws {
        #expect(try JiebaSegmenter.shared().hmm.segment(text) == words)
    }

    @Test("code points, not Characters: \\r\\n and combining marks")
    func codePoints() throws {
        let s = try JiebaSegmenter.shared()
        #expect(JiebaGoldens.codePoints(s.cut("a\r\nb\n\r")) == [[0x61], [0x0D, 0x0A], [0x62], [0x0A], [0x0D]])
        #expect(JiebaGoldens.codePoints(s.cut("cafe\u{301}")) == [[0x63, 0x61, 0x66, 0x65], [0x301]])
        #expect(s.cut("").isEmpty)
        #expect(s.cut("𠀀中文") == ["𠀀", "中文"])
    }

    @Test("the bundled dictionary compiles from dict.txt to the same trie (set JIEBA_DICT_TXT to run)")
    func compiledMatchesText() throws {
        guard let path = ProcessInfo.processInfo.environment["JIEBA_DICT_TXT"] else { return }
        let text = try JiebaDictionary(textContentsOf: URL(fileURLWithPath: path))
        let compiled = try JiebaSegmenter.shared().dictionary
        #expect(text.total == compiled.total)
        #expect(text.logTotal.bitPattern == compiled.logTotal.bitPattern)
        #expect(text.alphabet == compiled.alphabet)
        #expect(text.labels == compiled.labels)
        #expect(text.childStart == compiled.childStart)
        #expect(text.frequencies == compiled.frequencies)
        #expect(text.logFrequencies.map(\.bitPattern) == compiled.logFrequencies.map(\.bitPattern))
        #expect(text.frequencyIndex == compiled.frequencyIndex)
    }
}
