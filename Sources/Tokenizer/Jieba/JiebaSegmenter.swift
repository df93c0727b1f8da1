import Foundation

/// A pure-Swift port of jieba 0.42.1's default segmentation, `jieba.cut(sentence)` (precise mode, HMM on),
/// giving the same words as Python jieba with the same dictionary.
///
/// Text is handled as Unicode code points, as Python handles `str` (so `"\r\n"` is two characters, and combining
/// marks are characters of their own). Immutable and thread-safe once built.
public final class JiebaSegmenter: Sendable {
    /// The prefix dictionary the route search uses.
    public let dictionary: JiebaDictionary
    /// The HMM used for runs of single characters that the dictionary does not know.
    public let hmm: JiebaHMM

    /// A segmenter over the given dictionary and HMM.
    public init(dictionary: JiebaDictionary, hmm: JiebaHMM) {
        self.dictionary = dictionary
        self.hmm = hmm
    }

    /// A segmenter over compiled data files (`jieba-dict.bin` and `jieba-hmm.bin`, see `Tools/jieba-dict`).
    /// Throws ``JiebaError`` if a file is missing, unreadable or corrupt.
    public convenience init(dictionaryURL: URL, hmmURL: URL) throws {
        self.init(dictionary: try JiebaDictionary(contentsOf: dictionaryURL), hmm: try JiebaHMM(contentsOf: hmmURL))
    }

    /// `jieba.lcut(text)`: the words of `text`, in order; their concatenation is `text`.
    ///
    /// Maximal runs of `[\u4E00-\u9FD5a-zA-Z0-9+#&._%-]` are cut with the dictionary route and the HMM; every
    /// other code point is a word of its own, except that `"\r\n"` stays one word.
    public func cut(_ text: String) -> [String] {
        let text = JiebaText(text)
        return cutRanges(text.codePoints).map(text.substring)
    }

    /// The words of `codePoints` as ranges of code point offsets.
    func cutRanges(_ codePoints: [UInt32]) -> [Range<Int>] {
        var words: [Range<Int>] = []
        words.reserveCapacity(codePoints.count)
        let n = codePoints.count
        var i = 0
        while i < n {
            if JiebaCharacterClass.isDefaultHan(codePoints[i]) {
                var j = i + 1
                while j < n && JiebaCharacterClass.isDefaultHan(codePoints[j]) { j += 1 }
                cutBlock(codePoints, i..<j, into: &words)
                i = j
            } else if codePoints[i] == 0x0D && i + 1 < n && codePoints[i + 1] == 0x0A {
                // re_skip_default = (\r\n|\s): "\r\n" is one word; any other character is a word by itself.
                words.append(i..<(i + 2))
                i += 2
            } else {
                words.append(i..<(i + 1))
                i += 1
            }
        }
        return words
    }

    /// jieba's `__cut_DAG` on one block: follows the best route; runs of single characters are buffered and, if
    /// longer than one character and not a dictionary word, segmented by the HMM (a buffer that is a word comes
    /// out character by character).
    func cutBlock(_ text: [UInt32], _ block: Range<Int>, into words: inout [Range<Int>]) {
        let labels = text[block].map { dictionary.label(of: $0) }
        let ends = dictionary.bestRoute(labels).ends
        let base = block.lowerBound
        var bufferStart = -1
        func flush(upTo end: Int) {
            guard bufferStart >= 0 else { return }
            let start = bufferStart
            bufferStart = -1
            if end - start == 1 {
                words.append((base + start)..<(base + end))
            } else if !dictionary.isWord(labels[start..<end]) {
                hmm.cut(text, (base + start)..<(base + end), into: &words)
            } else {
                for k in start..<end { words.append((base + k)..<(base + k + 1)) }
            }
        }
        var x = 0
        while x < labels.count {
            let y = ends[x] + 1
            if y - x == 1 {
                if bufferStart < 0 { bufferStart = x }
            } else {
                flush(upTo: x)
                words.append((base + x)..<(base + y))
            }
            x = y
        }
        flush(upTo: labels.count)
    }
}
