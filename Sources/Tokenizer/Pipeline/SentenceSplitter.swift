import Foundation

/// Splits user text into sentences to translate, keeping everything between them (spaces, newlines, blank lines)
/// so the translation can be reassembled with the same paragraph structure.
///
/// - Text containing `<SENT_SPLIT>` is split only there and rejoined with it, exactly like ModelScope's pipeline.
/// - Otherwise each line is split after sentence-final punctuation: `。！？；!?…` (zh, no space needed) and
///   `.!?` followed by a space and an upper-case letter, digit, quote or CJK character (en), skipping common
///   abbreviations (`Mr.`, `e.g.`, single initials).
public enum SentenceSplitter {
    /// A piece of the input: a sentence to translate, or text kept as-is.
    public enum Segment: Sendable, Equatable {
        case sentence(String)
        case verbatim(String)

        var isSentence: Bool { if case .sentence = self { return true } else { return false } }
    }

    public static let modelScopeSeparator = "<SENT_SPLIT>"

    /// The pieces of `text`, in order; concatenating them gives `text` back (except in `<SENT_SPLIT>` mode, where
    /// the separators are the verbatim pieces).
    ///
    /// With `splitSentences: false`, only `<SENT_SPLIT>` separates (ModelScope's exact behaviour): the rest of the
    /// text, newlines included, is one sentence.
    public static func split(_ text: String, splitSentences: Bool = true) -> [Segment] {
        if !splitSentences && !text.contains(modelScopeSeparator) { return [.sentence(text)] }
        if text.contains(modelScopeSeparator) {
            var out: [Segment] = []
            for (i, part) in text.components(separatedBy: modelScopeSeparator).enumerated() {
                if i > 0 { out.append(.verbatim(modelScopeSeparator)) }
                out.append(.sentence(part))
            }
            return out
        }
        var out: [Segment] = []
        var line = ""
        func flushLine() {
            out += splitLine(line)
            line = ""
        }
        for ch in text {
            if ch == "\n" || ch == "\r\n" || ch == "\r" {
                flushLine()
                out.append(.verbatim(String(ch)))
            } else {
                line.append(ch)
            }
        }
        flushLine()
        return merged(out)
    }

    /// Reassembles translations (one per `.sentence`, in order). Whitespace between two sentences of a line
    /// becomes one space for a spaced target language and nothing for Chinese; everything else (newlines, blank
    /// lines, indentation, `<SENT_SPLIT>`) is kept as it was.
    public static func join(_ segments: [Segment], translations: [String], targetLanguage: String) -> String {
        var out = "", next = 0
        for (i, s) in segments.enumerated() {
            switch s {
            case .sentence:
                // Chinese source sentences touch; an English translation needs a space between them.
                if i > 0 && segments[i - 1].isSentence && targetLanguage != "zh" { out += " " }
                out += next < translations.count ? translations[next] : ""
                next += 1
            case .verbatim(let v):
                let between = i > 0 && i + 1 < segments.count && segments[i - 1].isSentence && segments[i + 1].isSentence
                if between && v != modelScopeSeparator && !v.contains(where: \.isNewline) {
                    out += targetLanguage == "zh" ? "" : " "
                } else {
                    out += v
                }
            }
        }
        return out
    }

    /// The sentences of a segment list, for batching.
    public static func sentences(_ segments: [Segment]) -> [String] {
        segments.compactMap { if case .sentence(let s) = $0 { return s } else { return nil } }
    }

    static let closers: Set<Character> = ["”", "’", "\"", "'", "」", "』", "）", ")", "》", "]", "】"]
    static let zhEnders: Set<Character> = ["。", "！", "？", "；", "…", "!", "?"]
    static let abbreviations: Set<String> = ["mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e",
                                             "no", "fig", "inc", "ltd", "co", "u.s", "u.k", "jan", "feb", "mar", "apr",
                                             "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "dept"]

    /// Splits one line (no newlines) into leading space, sentences and the spaces between them.
    static func splitLine(_ line: String) -> [Segment] {
        let chars = Array(line)
        var out: [Segment] = []
        var start = 0
        // Leading whitespace is kept verbatim.
        while start < chars.count && chars[start].isWhitespace { start += 1 }
        if start > 0 { out.append(.verbatim(String(chars[0..<start]))) }
        var i = start, sentenceStart = start
        while i < chars.count {
            let c = chars[i]
            var end: Int?
            if zhEnders.contains(c) || c == "." {
                var j = i + 1
                while j < chars.count && (zhEnders.contains(chars[j]) || chars[j] == ".") { j += 1 }
                while j < chars.count && closers.contains(chars[j]) { j += 1 }
                if isBoundary(chars, punctuation: i, after: j, sentenceStart: sentenceStart) { end = j }
                i = j
            } else {
                i += 1
            }
            if let end {
                var next = end
                while next < chars.count && chars[next].isWhitespace { next += 1 }
                out.append(.sentence(String(chars[sentenceStart..<end])))
                if next > end { out.append(.verbatim(String(chars[end..<next]))) }
                sentenceStart = next
                i = next
            }
        }
        if sentenceStart < chars.count {
            var trimmedEnd = chars.count
            while trimmedEnd > sentenceStart && chars[trimmedEnd - 1].isWhitespace { trimmedEnd -= 1 }
            out.append(.sentence(String(chars[sentenceStart..<trimmedEnd])))
            if trimmedEnd < chars.count { out.append(.verbatim(String(chars[trimmedEnd...]))) }
        }
        return out
    }

    /// Whether the punctuation run ending before `after` ends a sentence.
    static func isBoundary(_ chars: [Character], punctuation p: Int, after j: Int, sentenceStart: Int) -> Bool {
        guard j < chars.count else { return false }   // the line's end is handled by the caller
        let c = chars[p]
        let isCJKPunctuation = c != "." && c != "!" && c != "?"
        if isCJKPunctuation { return true }            // 。！？ need no following space
        let next = chars[j]
        if isCJK(next) { return true }
        guard next.isWhitespace else { return false }
        var k = j
        while k < chars.count && chars[k].isWhitespace { k += 1 }
        guard k < chars.count else { return false }
        let first = chars[k]
        guard first.isUppercase || first.isNumber || closers.contains(first) || "\"“‘(".contains(first) || isCJK(first) else {
            return false
        }
        if c == "." {
            // The word before the period: an abbreviation or a single initial does not end the sentence.
            var w = p
            while w > sentenceStart && !chars[w - 1].isWhitespace { w -= 1 }
            let word = String(chars[w..<p]).lowercased().trimmingCharacters(in: .punctuationCharacters)
            if abbreviations.contains(word) || (word.count == 1 && word.first?.isLetter == true) { return false }
        }
        return true
    }

    static func isCJK(_ c: Character) -> Bool {
        c.unicodeScalars.first.map { (0x4E00...0x9FFF).contains($0.value) || (0x3400...0x4DBF).contains($0.value) } ?? false
    }

    /// Joins adjacent verbatim pieces.
    static func merged(_ segments: [Segment]) -> [Segment] {
        var out: [Segment] = []
        for s in segments {
            if case .verbatim(let v) = s, case .verbatim(let prev)? = out.last {
                out[out.count - 1] = .verbatim(prev + v)
            } else {
                out.append(s)
            }
        }
        return out
    }
}
