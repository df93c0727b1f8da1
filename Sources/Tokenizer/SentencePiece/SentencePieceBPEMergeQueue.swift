/// The agenda of candidate merges in `BPEModel`: a binary max-heap ordered like sentencepiece's
/// `SymbolPairComparator` (higher score first, then the leftmost pair).
struct SentencePieceBPEMergeQueue {
    struct Candidate {
        var score: Float
        var left: Int32
        var right: Int32
        /// Byte length of the merged piece, to recognise candidates made stale by other merges.
        var size: Int32
        /// The vocabulary-trie node of the merged piece.
        var node: Int32
    }

    private var heap: [Candidate] = []

    init(capacity: Int) { heap.reserveCapacity(capacity) }

    var isEmpty: Bool { heap.isEmpty }

    /// `SymbolPairComparator` (h1 < h2 means h1 is popped later). Like the library it compares the scores'
    /// bit patterns as signed integers, which orders floats as usual except that +0.0 ranks above -0.0.
    @inline(__always)
    private static func less(_ h1: Candidate, _ h2: Candidate) -> Bool {
        let i1 = Int32(bitPattern: h1.score.bitPattern)
        let i2 = Int32(bitPattern: h2.score.bitPattern)
        if (i1 & i2) < 0 {  // both negative: integer order is the reverse of float order
            return i1 > i2 || (i1 == i2 && h1.left > h2.left)
        }
        let scoreLess = (i1 ^ i2) < 0 ? i1 < 0 : i1 < i2
        return scoreLess || (i1 == i2 && h1.left > h2.left)
    }

    /// Whether `a` is popped before `b`.
    @inline(__always)
    private static func precedes(_ a: Candidate, _ b: Candidate) -> Bool { less(b, a) }

    mutating func push(_ candidate: Candidate) {
        heap.append(candidate)
        heap.withUnsafeMutableBufferPointer { h in
            var child = h.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard Self.precedes(h[child], h[parent]) else { break }
                h.swapAt(child, parent)
                child = parent
            }
        }
    }

    mutating func pop() -> Candidate? {
        guard let last = heap.popLast() else { return nil }
        guard !heap.isEmpty else { return last }
        return heap.withUnsafeMutableBufferPointer { h -> Candidate in
            let top = h[0]
            h[0] = last
            var parent = 0
            let count = h.count
            while true {
                let left = 2 * parent + 1
                guard left < count else { break }
                var best = left
                let right = left + 1
                if right < count, Self.precedes(h[right], h[left]) { best = right }
                guard Self.precedes(h[best], h[parent]) else { break }
                h.swapAt(best, parent)
                parent = best
            }
            return top
        }
    }
}
