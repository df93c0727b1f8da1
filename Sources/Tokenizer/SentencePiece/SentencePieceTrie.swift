/// A byte trie over vocabulary pieces, built at load time (sentencepiece builds a Darts double array for the
/// same purpose; only the lookups matter, not the layout).
///
/// Nodes are stored flat: the children of a node are a contiguous run of edges sorted by label; the root has
/// a direct 256-entry table.
struct SentencePieceTrie: Sendable {
    private var rootChildren = [Int32](repeating: -1, count: 256)
    private var firstEdge: [Int32] = [0]
    private var edgeCount: [UInt16] = [0]
    private var values: [Int32] = [-1]
    private var edgeLabels: [UInt8] = []
    private var edgeTargets: [Int32] = []

    /// Builds the trie from `(bytes, value)` entries; the first value wins for duplicated keys.
    /// Empty keys are ignored.
    init(_ entries: [(key: [UInt8], value: Int)]) {
        // Build with per-node child lists, then flatten.
        var children: [[(label: UInt8, node: Int32)]] = [[]]
        var nodeValues: [Int32] = [-1]
        for entry in entries where !entry.key.isEmpty {
            var node = 0
            for byte in entry.key {
                if let next = children[node].first(where: { $0.label == byte }) {
                    node = Int(next.node)
                } else {
                    let created = Int32(children.count)
                    children.append([])
                    nodeValues.append(-1)
                    children[node].append((byte, created))
                    node = Int(created)
                }
            }
            if nodeValues[node] < 0 { nodeValues[node] = Int32(entry.value) }
        }
        firstEdge = [Int32](repeating: 0, count: children.count)
        edgeCount = [UInt16](repeating: 0, count: children.count)
        values = nodeValues
        for node in 0..<children.count {
            let sorted = children[node].sorted { $0.label < $1.label }
            firstEdge[node] = Int32(edgeLabels.count)
            edgeCount[node] = UInt16(sorted.count)
            for edge in sorted {
                edgeLabels.append(edge.label)
                edgeTargets.append(edge.node)
                if node == 0 { rootChildren[Int(edge.label)] = edge.node }
            }
        }
    }

    @inline(__always)
    private func child(of node: Int, _ label: UInt8) -> Int {
        if node == 0 { return Int(rootChildren[Int(label)]) }
        let first = Int(firstEdge[node])
        let count = Int(edgeCount[node])
        if count <= 8 {
            for k in first..<(first + count) where edgeLabels[k] == label { return Int(edgeTargets[k]) }
            return -1
        }
        var lo = first, hi = first + count
        while lo < hi {
            let mid = (lo + hi) >> 1
            let l = edgeLabels[mid]
            if l == label { return Int(edgeTargets[mid]) }
            if l < label { lo = mid + 1 } else { hi = mid }
        }
        return -1
    }

    /// Calls `body(end, value)` for every key that is a prefix of `bytes[start..<end]`, shortest first.
    @inline(__always)
    func forEachPrefix(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int,
                       _ body: (_ end: Int, _ value: Int) -> Void) {
        var node = 0
        var i = start
        while i < end {
            node = child(of: node, bytes[i])
            if node < 0 { return }
            i += 1
            let v = values[node]
            if v >= 0 { body(i, Int(v)) }
        }
    }

    /// The root node, where every walk starts.
    static let root = 0

    /// Follows `bytes[start..<end]` from `node`; returns the node reached, or -1 when the path leaves the trie.
    @inline(__always)
    func walk(from node: Int, _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int {
        var node = node
        var i = start
        while i < end, node >= 0 {
            node = child(of: node, bytes[i])
            i += 1
        }
        return node
    }

    /// The value stored at a node reached by `walk`, or nil when no key ends there.
    @inline(__always)
    func value(at node: Int) -> Int? {
        guard node >= 0 else { return nil }
        let v = values[node]
        return v >= 0 ? Int(v) : nil
    }

    /// The value of the key equal to `bytes[start..<end]`, or nil.
    func exactMatch(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int? {
        guard start < end else { return nil }
        var node = 0
        for i in start..<end {
            node = child(of: node, bytes[i])
            if node < 0 { return nil }
        }
        let v = values[node]
        return v >= 0 ? Int(v) : nil
    }

    /// The value of the key equal to `key`, or nil.
    func exactMatch(_ key: [UInt8]) -> Int? {
        key.withUnsafeBufferPointer { exactMatch($0, from: 0, to: $0.count) }
    }

    /// The length of the longest key among the first `maxResults` keys (shortest first) that are prefixes of
    /// `bytes[start..<end]`, or 0 (`PrefixMatcher::PrefixMatch`, which looks at 64 Darts results).
    func longestPrefixLength(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int,
                             maxResults: Int = 64) -> Int {
        var longest = 0
        var seen = 0
        forEachPrefix(bytes, from: start, to: end) { stop, _ in
            if seen < maxResults { longest = stop - start }
            seen += 1
        }
        return longest
    }
}
