/// An immutable set of Unicode scalar values: a bitmap for the Basic Multilingual Plane and sorted, disjoint
/// closed ranges above U+FFFF.
///
/// Used for the character classes of Python's `re` and of sacremoses (see `MosesCharacterTables`), which must be
/// reproduced code point for code point.
struct MosesScalarSet: Sendable {
    /// 65536 bits, one per BMP code point.
    private let bmp: [UInt64]
    /// Lower bounds of the ranges above U+FFFF, sorted; `astralHigh[i]` is the matching inclusive upper bound.
    private let astralLow: [UInt32]
    private let astralHigh: [UInt32]

    /// Builds a set from closed ranges (any order, overlaps allowed).
    init(ranges: [ClosedRange<UInt32>]) {
        var bits = [UInt64](repeating: 0, count: 1024)
        var astral: [ClosedRange<UInt32>] = []
        for range in ranges {
            let upper = min(range.upperBound, 0x10_FFFF)
            guard range.lowerBound <= upper else { continue }
            if range.lowerBound < 0x1_0000 {
                for value in range.lowerBound...min(upper, 0xFFFF) {
                    bits[Int(value >> 6)] |= 1 << UInt64(value & 63)
                }
            }
            if upper >= 0x1_0000 {
                astral.append(max(range.lowerBound, 0x1_0000)...upper)
            }
        }
        astral.sort { $0.lowerBound < $1.lowerBound }
        var merged: [ClosedRange<UInt32>] = []
        for range in astral {
            if let last = merged.last, range.lowerBound <= last.upperBound &+ 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        bmp = bits
        astralLow = merged.map(\.lowerBound)
        astralHigh = merged.map(\.upperBound)
    }

    /// Builds a set from the table format of `MosesCharacterTables`: whitespace-separated hex numbers `X` or
    /// closed ranges `LO-HI`. Malformed items are skipped (the tables are generated; tests check their sizes).
    init(table: String) {
        var ranges: [ClosedRange<UInt32>] = []
        var low: UInt32 = 0
        var current: UInt32 = 0
        var digits = 0
        var sawDash = false
        func flush() {
            guard digits > 0 else { return }
            if sawDash {
                if low <= current { ranges.append(low...current) }
            } else {
                ranges.append(current...current)
            }
        }
        for byte in table.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                current = current &* 16 &+ UInt32(byte - UInt8(ascii: "0"))
                digits += 1
            case UInt8(ascii: "A")...UInt8(ascii: "F"):
                current = current &* 16 &+ UInt32(byte - UInt8(ascii: "A") + 10)
                digits += 1
            case UInt8(ascii: "-"):
                low = current
                current = 0
                digits = 0
                sawDash = true
            default:
                flush()
                current = 0
                digits = 0
                sawDash = false
            }
        }
        flush()
        self.init(ranges: ranges)
    }

    /// The union of several sets plus extra scalars.
    init(union sets: [MosesScalarSet], adding extra: [UInt32] = []) {
        var ranges: [ClosedRange<UInt32>] = extra.map { $0...$0 }
        for set in sets { ranges.append(contentsOf: set.ranges) }
        self.init(ranges: ranges)
    }

    /// Whether `value` is in the set.
    @inline(__always)
    func contains(_ value: UInt32) -> Bool {
        if value < 0x1_0000 {
            return bmp[Int(value >> 6)] & (1 << UInt64(value & 63)) != 0
        }
        var low = 0
        var high = astralLow.count
        while low < high {
            let mid = (low + high) / 2
            if astralHigh[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low < astralLow.count && astralLow[low] <= value
    }

    /// The set as sorted, disjoint closed ranges (BMP runs first).
    var ranges: [ClosedRange<UInt32>] {
        var result: [ClosedRange<UInt32>] = []
        var start: UInt32? = nil
        for value in UInt32(0)...0xFFFF {
            let inside = bmp[Int(value >> 6)] & (1 << UInt64(value & 63)) != 0
            if inside, start == nil { start = value }
            if !inside, let first = start {
                result.append(first...(value - 1))
                start = nil
            }
        }
        if let first = start { result.append(first...0xFFFF) }
        for (low, high) in zip(astralLow, astralHigh) { result.append(low...high) }
        return result
    }

    /// The number of scalar values in the set (code points U+D800...U+DFFF never count).
    var count: Int {
        ranges.reduce(0) { total, range in
            let size = Int(range.upperBound - range.lowerBound) + 1
            let overlapLow = max(range.lowerBound, 0xD800)
            let overlapHigh = min(range.upperBound, 0xDFFF)
            let surrogates = overlapLow <= overlapHigh ? Int(overlapHigh - overlapLow) + 1 : 0
            return total + size - surrogates
        }
    }
}
