/// finalseg's `cut`: the HMM segmentation of a buffer of characters the dictionary route left single.
extension JiebaHMM {
    /// `jieba.finalseg.cut(text)`: segments `text` with the HMM alone (no dictionary).
    public func segment(_ text: String) -> [String] {
        let text = JiebaText(text)
        var words: [Range<Int>] = []
        cut(text.codePoints, 0..<text.codePoints.count, into: &words)
        return words.map(text.substring)
    }

    /// Appends the words of `text[range]` as ranges of `text`. Runs of U+4E00...U+9FD5 (finalseg's `re_han`) go
    /// through the Viterbi path; the rest is split by `re_skip = ([a-zA-Z0-9]+(?:\.\d+)?%?)`, each match and each
    /// non-empty stretch between matches being one word. (`Force_Split_Words` is empty unless words are deleted
    /// from the dictionary, which this port does not offer, so it is not consulted.)
    func cut(_ text: [UInt32], _ range: Range<Int>, into words: inout [Range<Int>]) {
        var i = range.lowerBound
        while i < range.upperBound {
            let han = JiebaCharacterClass.isFinalsegHan(text[i])
            var j = i + 1
            while j < range.upperBound && JiebaCharacterClass.isFinalsegHan(text[j]) == han { j += 1 }
            if han {
                cutHan(text, i..<j, into: &words)
            } else {
                Self.cutSkip(text, i..<j, into: &words)
            }
            i = j
        }
    }

    /// `re_skip.split(blk)` keeping the non-empty pieces: matches of `[a-zA-Z0-9]+(?:\.\d+)?%?` and the stretches
    /// between them.
    static func cutSkip(_ text: [UInt32], _ range: Range<Int>, into words: inout [Range<Int>]) {
        var pending = range.lowerBound
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            guard JiebaCharacterClass.isASCIIAlphanumeric(text[i]) else {
                i += 1
                continue
            }
            let matchStart = i
            while i < end && JiebaCharacterClass.isASCIIAlphanumeric(text[i]) { i += 1 }
            if i + 1 < end && text[i] == 0x2E && JiebaCharacterClass.isDecimalDigit(text[i + 1]) {
                i += 2
                while i < end && JiebaCharacterClass.isDecimalDigit(text[i]) { i += 1 }
            }
            if i < end && text[i] == 0x25 { i += 1 }
            if pending < matchStart { words.append(pending..<matchStart) }
            words.append(matchStart..<i)
            pending = i
        }
        if pending < end { words.append(pending..<end) }
    }
}
