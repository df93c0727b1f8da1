import Foundation

/// Building a ``JiebaDictionary`` from jieba's text format (`dict.txt`: one `word freq [tag]` per line).
extension JiebaDictionary {
    /// Reads a `dict.txt`-format file; see ``init(text:source:)``.
    public init(textContentsOf url: URL) throws {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw JiebaError.unreadable(path: url.path, reason: String(describing: error))
        }
        try self.init(text: text, source: url.path)
    }

    /// Builds the prefix dictionary as jieba's `Tokenizer.gen_pfdict` does: lines are split on `\n` and stripped of
    /// ASCII whitespace; the first two space-separated fields are the word and its frequency (an ASCII decimal
    /// integer); a repeated word keeps its last frequency but every line adds to `total`; every prefix of a word
    /// that is not itself a word gets frequency 0. `log` is the platform's (the one Python's `math.log` calls), so
    /// route scores match jieba run on the same platform. Slow for big dictionaries (seconds for jieba's 349k
    /// lines in a release build): ship compiled files for those.
    public init(text: String, source: String = "<text>") throws {
        var frequencyOf: [[UInt32]: UInt64] = [:]
        var total: UInt64 = 0
        let bytes = Array(text.utf8)
        var lines = bytes.isEmpty ? [] : bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if bytes.last == 0x0A { lines.removeLast() }
        for (i, rawLine) in lines.enumerated() {
            let line = Self.strippingASCIIWhitespace(rawLine)
            let fields = line.split(separator: 0x20, omittingEmptySubsequences: false)
            let lineText = String(decoding: line, as: UTF8.self)
            guard fields.count >= 2, let freq = Self.parseFrequency(fields[1]) else {
                throw JiebaError.invalidDictionaryLine(line: i + 1, text: lineText)
            }
            let word = String(decoding: fields[0], as: UTF8.self).unicodeScalars.map(\.value)
            guard !word.isEmpty else { throw JiebaError.invalidDictionaryLine(line: i + 1, text: lineText) }
            frequencyOf[word] = freq
            let (sum, overflow) = total.addingReportingOverflow(freq)
            guard !overflow else { throw JiebaError.unsupportedDictionary("total frequency overflows 64 bits") }
            total = sum
            for end in 1...word.count {
                let prefix = Array(word[0..<end])
                if frequencyOf[prefix] == nil { frequencyOf[prefix] = 0 }
            }
        }
        guard total > 0 else { throw JiebaError.unsupportedDictionary("\(source): no word has a frequency above 0") }
        try self.init(prefixDictionary: frequencyOf, total: total, lineCount: lines.count, source: source)
    }

    /// Lays out a prefix dictionary (every key's prefixes present) as the breadth-first trie.
    private init(prefixDictionary: [[UInt32]: UInt64], total: UInt64, lineCount: Int, source: String) throws {
        // Breadth-first order with children sorted by code point = keys sorted by (length, code points).
        let keys = prefixDictionary.keys.sorted { a, b in
            a.count != b.count ? a.count < b.count : a.lexicographicallyPrecedes(b)
        }
        let alphabet = Array(Set(keys.compactMap(\.last))).sorted()
        guard alphabet.count < Int(UInt16.max) else {
            throw JiebaError.unsupportedDictionary("\(alphabet.count) distinct characters (at most 65534)")
        }
        let labelOf = Dictionary(uniqueKeysWithValues: alphabet.enumerated().map { ($1, UInt16($0 + 1)) })
        let distinct = Array(Set(prefixDictionary.values).union([0])).sorted()
        guard distinct.count <= Int(UInt16.max) + 1, let largest = distinct.last, largest <= UInt64(UInt32.max) else {
            throw JiebaError.unsupportedDictionary("more than 65536 distinct frequencies or one above 2^32-1")
        }
        let indexOf = Dictionary(uniqueKeysWithValues: distinct.enumerated().map { ($1, UInt16($0)) })
        var nodeOf: [[UInt32]: Int] = [[]: 0]
        var labels: [UInt16] = [0]
        var frequencyIndex: [UInt16] = [0]
        var childCounts: [UInt16] = [0]
        for key in keys {
            guard let last = key.last, let parent = nodeOf[Array(key.dropLast())],
                  let label = labelOf[last], let freq = prefixDictionary[key], let index = indexOf[freq] else {
                throw JiebaError.unsupportedDictionary("inconsistent prefix dictionary")
            }
            guard childCounts[parent] < UInt16.max else {
                throw JiebaError.unsupportedDictionary("a prefix has more than 65535 continuations")
            }
            childCounts[parent] += 1
            nodeOf[key] = labels.count
            labels.append(label)
            frequencyIndex.append(index)
            childCounts.append(0)
        }
        try self.init(alphabet: alphabet, labels: labels, frequencyIndex: frequencyIndex, childCounts: childCounts,
                      frequencies: distinct.map { UInt32($0) },
                      logFrequencies: distinct.map { $0 > 0 ? Foundation.log(Double($0)) : 0 },
                      total: total, logTotal: Foundation.log(Double(total)),
                      wordCount: prefixDictionary.values.filter { $0 > 0 }.count, lineCount: lineCount,
                      source: source)
    }

    /// Python's `bytes.strip()`: removes space, \t, \n, \r, \v and \f at both ends.
    private static func strippingASCIIWhitespace(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D) }
        guard let first = line.firstIndex(where: { !isSpace($0) }), let last = line.lastIndex(where: { !isSpace($0) })
        else { return line[line.startIndex..<line.startIndex] }
        return line[first...last]
    }

    /// The subset of Python's `int(text)` that dictionaries use: optional `+`, ASCII digits, single `_` between
    /// digits, surrounding ASCII whitespace. Negative numbers are rejected (jieba would fail on their log).
    private static func parseFrequency(_ field: ArraySlice<UInt8>) -> UInt64? {
        var digits = Array(strippingASCIIWhitespace(field))
        if digits.first == UInt8(ascii: "+") { digits.removeFirst() }
        guard let first = digits.first, let last = digits.last, first != UInt8(ascii: "_"),
              last != UInt8(ascii: "_") else { return nil }
        var value: UInt64 = 0
        var previous: UInt8 = 0
        for d in digits {
            if d == UInt8(ascii: "_") {
                guard previous != d else { return nil }
            } else {
                guard d >= 0x30 && d <= 0x39 else { return nil }
                let (times, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times.addingReportingOverflow(UInt64(d - 0x30))
                guard !o1 && !o2 else { return nil }
                value = sum
            }
            previous = d
        }
        return value
    }
}
