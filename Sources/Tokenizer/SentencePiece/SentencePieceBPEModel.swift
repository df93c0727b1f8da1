/// BPE segmentation as sentencepiece's `bpe::Model::SampleEncode` does it with no dropout:
/// start from characters (user-defined symbols are matched greedily, longest first, and never merged), then
/// repeatedly merge the adjacent pair whose concatenation is the highest-scoring piece (leftmost on ties).
/// Pieces merged into UNUSED pieces are split back into the pairs that formed them at the end, and symbols the
/// vocabulary cannot produce come out as the unknown id (`unk_id_`, which is -1 when the model has none).
struct SentencePieceBPEModel: Sendable {
    /// `kMaxBpeResegmentDepth`.
    static let maxResegmentDepth = 100

    let vocabulary: SentencePieceVocabulary

    func encode(_ normalized: [UInt8]) -> [SentencePieceSegment] {
        guard !normalized.isEmpty else { return [] }
        return normalized.withUnsafeBufferPointer { encode($0) }
    }

    private func encode(_ text: UnsafeBufferPointer<UInt8>) -> [SentencePieceSegment] {
        let vocab = vocabulary
        let size = text.count

        // Symbols as a doubly linked list over byte ranges; an empty range marks a symbol merged away.
        var starts: [Int] = []
        var lengths: [Int] = []
        var frozen: [Bool] = []
        // The vocabulary-trie node each symbol's bytes lead to (-1: none), so a pair is looked up by walking
        // only the right symbol's bytes.
        var trieNodes: [Int] = []
        trieNodes.reserveCapacity(size)
        starts.reserveCapacity(size)
        lengths.reserveCapacity(size)
        frozen.reserveCapacity(size)
        var pos = 0
        while pos < size {
            var length = vocab.userDefinedTrie?.longestPrefixLength(text, from: pos, to: size) ?? 0
            let isFrozen = length > 0
            if !isFrozen { length = min(SentencePieceUTF8.oneCharLength(text[pos]), size - pos) }
            starts.append(pos)
            lengths.append(length)
            frozen.append(isFrozen)
            trieNodes.append(vocab.normalTrie.walk(from: SentencePieceTrie.root, text, from: pos, to: pos + length))
            pos += length
        }
        let count = starts.count
        var prev = (0..<count).map { $0 - 1 }
        var next = (0..<count).map { $0 + 1 < count ? $0 + 1 : -1 }

        // For merges into UNUSED pieces: piece id -> (left range, right range) of its last merge.
        var reverseMerges: [Int: (Range<Int>, Range<Int>)] = [:]
        var agenda = SentencePieceBPEMergeQueue(capacity: 2 * count)

        func addPair(_ left: Int, _ right: Int) {
            guard left >= 0, right >= 0, !frozen[left], !frozen[right] else { return }
            let start = starts[left]
            let split = start + lengths[left]
            let end = split + lengths[right]
            let node = vocab.normalTrie.walk(from: trieNodes[left], text, from: split, to: end)
            guard let id = vocab.normalTrie.value(at: node) else { return }
            agenda.push(.init(score: vocab.scores[id], left: Int32(left), right: Int32(right),
                              size: Int32(end - start), node: Int32(node)))
            if vocab.types[id] == .unused {
                reverseMerges[id] = (start..<split, split..<end)
            }
        }

        for i in 1..<max(count, 1) { addPair(i - 1, i) }

        while let top = agenda.pop() {
            let left = Int(top.left), right = Int(top.right)
            // Skip candidates made stale by earlier merges.
            if lengths[left] == 0 || lengths[right] == 0 || lengths[left] + lengths[right] != Int(top.size) {
                continue
            }
            lengths[left] += lengths[right]
            trieNodes[left] = Int(top.node)
            next[left] = next[right]
            if next[right] >= 0 { prev[next[right]] = left }
            lengths[right] = 0
            addPair(prev[left], left)
            addPair(left, next[left])
        }

        var segments: [SentencePieceSegment] = []
        segments.reserveCapacity(count)
        // Splits pieces merged into UNUSED pieces back into the pair that formed them; what the vocabulary
        // cannot produce (missing, reserved, or UNUSED without a recorded merge) becomes unknown.
        func resegment(_ range: Range<Int>, depth: Int) {
            let found = vocab.normalTrie.exactMatch(text, from: range.lowerBound, to: range.upperBound)
            let id: Int
            if depth > Self.maxResegmentDepth {
                id = found ?? vocab.reservedTrie.exactMatch(text, from: range.lowerBound, to: range.upperBound)
                    ?? vocab.unkId
            } else if let found, vocab.types[found] != .unused {
                id = found
            } else if let found, let parts = reverseMerges[found] {
                resegment(parts.0, depth: depth + 1)
                resegment(parts.1, depth: depth + 1)
                return
            } else {
                id = vocab.unkId
            }
            segments.append(SentencePieceSegment(start: range.lowerBound, end: range.upperBound, id: id))
        }
        var index = count > 0 ? 0 : -1
        while index >= 0 {
            resegment(starts[index]..<(starts[index] + lengths[index]), depth: 0)
            index = next[index]
        }
        return segments
    }
}
