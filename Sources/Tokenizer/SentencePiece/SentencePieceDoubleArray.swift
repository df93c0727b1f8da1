/// A read-only Darts-clone double-array trie (the format sentencepiece stores in `precompiled_charsmap`).
///
/// Each unit is a little-endian `UInt32`: bits 0-7 label (bit 31 too, for leaves), bit 8 "has leaf",
/// bit 9 offset scale, bits 10-31 offset; a leaf unit stores its value in bits 0-30.
/// Every array access is bounds-checked: a corrupt trie ends the search instead of trapping.
struct SentencePieceDoubleArray: Sendable {
    private let units: [UInt32]

    /// Wraps the units (already decoded from little-endian bytes).
    init(units: [UInt32]) {
        self.units = units
    }

    var unitCount: Int { units.count }

    /// Darts-clone's `validate(max_value_limit)`: the root is a real node, every child block of a node lies
    /// inside the array, a "has leaf" flag points at a leaf unit, and leaf values are below `maxValue`.
    func validate(maxValue: Int) -> Bool {
        let size = units.count
        guard size > 0 else { return false }
        let root = units[0]
        guard Self.label(root) == 0, !Self.hasLeaf(root), Self.offset(root) != 0, Self.offset(root) | 0xFF < size
        else { return false }
        for i in 1..<size {
            let unit = units[i]
            if Self.label(unit) <= 0xFF {
                let base = i ^ Self.offset(unit)
                guard base | 0xFF < size else { return false }
                if Self.hasLeaf(unit), Self.label(units[base]) <= 0xFF { return false }
            } else if Self.value(unit) >= maxValue {
                return false
            }
        }
        return true
    }

    @inline(__always) private static func hasLeaf(_ unit: UInt32) -> Bool { (unit >> 8) & 1 == 1 }
    @inline(__always) private static func value(_ unit: UInt32) -> Int { Int(unit & 0x7FFF_FFFF) }
    @inline(__always) private static func label(_ unit: UInt32) -> UInt32 { unit & (0x8000_0000 | 0xFF) }
    @inline(__always) private static func offset(_ unit: UInt32) -> Int {
        Int((unit >> 10) << ((unit & (1 << 9)) >> 6))
    }

    /// Darts' `commonPrefixSearch` over `key[start..<end]`: the keys that are prefixes of it, shortest first.
    /// Only the first `maxResults` matches are reported (as Darts fills a fixed-size result array).
    /// Returns the longest reported match as `(length, value)`, or nil when nothing matched.
    func longestPrefix(_ key: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int,
                       maxResults: Int) -> (length: Int, value: Int)? {
        guard !units.isEmpty else { return nil }
        return units.withUnsafeBufferPointer { array -> (length: Int, value: Int)? in
            var found: (length: Int, value: Int)?
            var reported = 0
            var nodePos = Self.offset(array[0])
            var i = start
            while i < end {
                let c = key[i]
                nodePos ^= Int(c)
                guard nodePos < array.count else { return found }
                let unit = array[nodePos]
                if Self.label(unit) != UInt32(c) { return found }
                nodePos ^= Self.offset(unit)
                if Self.hasLeaf(unit) {
                    guard nodePos < array.count else { return found }
                    if reported < maxResults {
                        found = (i + 1 - start, Self.value(array[nodePos]))
                    }
                    reported += 1
                }
                i += 1
            }
            return found
        }
    }
}
