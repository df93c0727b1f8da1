/// jieba's prefix dictionary (`Tokenizer.FREQ` and `total`): every word with its frequency, plus every prefix of a
/// word (frequency 0 unless it is a word itself), stored as a breadth-first trie over Unicode code points.
///
/// Load the compiled default dictionary with ``init(contentsOf:)`` (`jieba-dict.bin`, made by
/// `Tools/jieba-dict/compile_jieba_dict.py`) or build one from `dict.txt`-format text with ``init(text:)``.
/// The log-frequencies are kept as doubles so that route scores add the very same values as jieba.
public struct JiebaDictionary: Sendable {
    /// Sum of the frequencies of all lines of the source dictionary (jieba's `total`; duplicates count twice).
    public let total: UInt64
    /// `math.log(total)`.
    public let logTotal: Double
    /// Number of distinct words with a frequency above 0.
    public let wordCount: Int
    /// Number of lines of the source dictionary.
    public let lineCount: Int

    /// Sorted code points; trie label `l` (1-based) stands for `alphabet[l - 1]`, label 0 for "not in the alphabet".
    let alphabet: [UInt32]
    /// Code point -> label for the Basic Multilingual Plane (0: not in the alphabet).
    let bmpLabels: [UInt16]
    /// Per trie node (node 0 is the root, the empty string): the label of the edge into it.
    let labels: [UInt16]
    /// Per node: index into `frequencies` / `logFrequencies`.
    let frequencyIndex: [UInt16]
    /// Per node plus one: the children of node `n` are the nodes `childStart[n] ..< childStart[n + 1]`,
    /// sorted by label.
    let childStart: [UInt32]
    /// Label -> child of the root (0: none), to skip the widest binary search.
    let rootChildren: [UInt32]
    /// The distinct frequencies; 0 marks a prefix that is not a word.
    let frequencies: [UInt32]
    /// `math.log(frequency)` per distinct frequency (unused for 0).
    let logFrequencies: [Double]

    /// Number of trie nodes, the root included (= the number of keys of jieba's `FREQ` + 1).
    public var nodeCount: Int { labels.count }

    /// Checks the trie's structure and builds the lookup tables. `childCounts[n]` is node `n`'s number of children,
    /// nodes being numbered breadth-first with each node's children sorted by label.
    init(alphabet: [UInt32], labels: [UInt16], frequencyIndex: [UInt16], childCounts: [UInt16],
         frequencies: [UInt32], logFrequencies: [Double], total: UInt64, logTotal: Double,
         wordCount: Int, lineCount: Int, source: String) throws {
        func corrupt(_ reason: String) -> JiebaError { .corrupt(path: source, reason: reason) }
        let nodes = labels.count
        guard nodes >= 1, frequencyIndex.count == nodes, childCounts.count == nodes else {
            throw corrupt("trie arrays have different lengths or no root")
        }
        guard alphabet.count <= Int(UInt16.max) else { throw corrupt("alphabet too large") }
        for i in alphabet.indices where alphabet[i] > 0x10FFFF || (i > 0 && alphabet[i - 1] >= alphabet[i]) {
            throw corrupt("alphabet is not a strictly increasing list of code points")
        }
        guard !frequencies.isEmpty, frequencies.count == logFrequencies.count,
              frequencies.count <= Int(UInt16.max) + 1 else {
            throw corrupt("frequency table is empty or its two columns differ")
        }
        guard total > 0, logTotal.isFinite else { throw corrupt("total is \(total), log(total) \(logTotal)") }
        guard labels[0] == 0 else { throw corrupt("root has a label") }

        var starts = [UInt32](repeating: 0, count: nodes + 1)
        var next = 1
        var words = 0
        for n in 0..<nodes {
            let label = Int(labels[n])
            guard n == 0 || (label >= 1 && label <= alphabet.count) else { throw corrupt("node \(n): bad label") }
            guard Int(frequencyIndex[n]) < frequencies.count else { throw corrupt("node \(n): bad frequency index") }
            if n > 0 && frequencies[Int(frequencyIndex[n])] > 0 { words += 1 }
            let count = Int(childCounts[n])
            guard count == 0 || next > n else { throw corrupt("node \(n): children are not in breadth-first order") }
            starts[n] = UInt32(truncatingIfNeeded: next)
            next += count
            guard next <= nodes else { throw corrupt("child counts exceed the \(nodes) nodes") }
        }
        guard next == nodes else { throw corrupt("child counts cover \(next) of \(nodes) nodes") }
        starts[nodes] = UInt32(truncatingIfNeeded: nodes)
        for n in 0..<nodes {
            let range = Int(starts[n])..<Int(starts[n + 1])
            for c in range.dropFirst() where labels[c - 1] >= labels[c] {
                throw corrupt("node \(n): children are not sorted by label")
            }
        }
        guard words == wordCount else { throw corrupt("header says \(wordCount) words, trie holds \(words)") }

        var roots = [UInt32](repeating: 0, count: alphabet.count + 1)
        for c in Int(starts[0])..<Int(starts[1]) { roots[Int(labels[c])] = UInt32(truncatingIfNeeded: c) }
        var bmp = [UInt16](repeating: 0, count: 0x10000)
        for (i, cp) in alphabet.enumerated() where cp < 0x10000 { bmp[Int(cp)] = UInt16(truncatingIfNeeded: i + 1) }

        self.alphabet = alphabet
        self.bmpLabels = bmp
        self.labels = labels
        self.frequencyIndex = frequencyIndex
        self.childStart = starts
        self.rootChildren = roots
        self.frequencies = frequencies
        self.logFrequencies = logFrequencies
        self.total = total
        self.logTotal = logTotal
        self.wordCount = wordCount
        self.lineCount = lineCount
    }

    /// The trie label of a code point (0 when no key contains it).
    @inline(__always)
    func label(of codePoint: UInt32) -> UInt16 {
        if codePoint < 0x10000 { return bmpLabels[Int(codePoint)] }
        var lo = 0
        var hi = alphabet.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if alphabet[mid] < codePoint { lo = mid + 1 } else { hi = mid }
        }
        return lo < alphabet.count && alphabet[lo] == codePoint ? UInt16(truncatingIfNeeded: lo + 1) : 0
    }

    /// The child of `node` along `label`, or 0 (the root, never a child) if there is none.
    @inline(__always)
    func child(of node: Int, label: UInt16) -> Int {
        if node == 0 { return Int(rootChildren[Int(label)]) }
        var lo = Int(childStart[node])
        var hi = Int(childStart[node + 1])
        while lo < hi {
            let mid = (lo + hi) >> 1
            let l = labels[mid]
            if l == label { return mid }
            if l < label { lo = mid + 1 } else { hi = mid }
        }
        return 0
    }

    /// The node of a key given as labels, or 0 if the key is not in the prefix dictionary (or is empty).
    func node<C: Collection>(forLabels key: C) -> Int where C.Element == UInt16 {
        var node = 0
        for label in key {
            node = child(of: node, label: label)
            if node == 0 { return 0 }
        }
        return node
    }

    /// The frequency at a node (0 for a prefix that is not a word).
    @inline(__always)
    func frequency(atNode node: Int) -> UInt32 { frequencies[Int(frequencyIndex[node])] }

    /// jieba's `FREQ.get(word)`: the word's frequency, 0 for a prefix of a word that is not a word, `nil` otherwise.
    public func frequency(of word: String) -> Int? {
        let node = node(forLabels: word.unicodeScalars.lazy.map { label(of: $0.value) })
        return node == 0 ? nil : Int(frequency(atNode: node))
    }
}
