/// Text as Python sees it: a sequence of code points. The Moses and BPE ports work on `[UInt32]` scalar values,
/// never on `Character`s (grapheme clusters would glue a space to a following combining mark, or "\r\n" into
/// one unit) and never compare `String`s with `==` (Swift compares canonically equivalent strings as equal,
/// Python compares code points).
enum MosesScalarText {
    /// The scalar values of `string`.
    static func scalars(of string: String) -> [UInt32] {
        var result: [UInt32] = []
        result.reserveCapacity(string.utf8.count)
        for scalar in string.unicodeScalars { result.append(scalar.value) }
        return result
    }

    /// A `String` holding exactly `scalars` (values that are not scalar values become U+FFFD; the ports only
    /// ever produce scalar values).
    static func string<C: Collection>(from scalars: C) -> String where C.Element == UInt32 {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scalars.count + 8)
        for value in scalars { appendUTF8(value, to: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the UTF-8 encoding of `value` (U+FFFD for non-scalar values).
    @inline(__always)
    static func appendUTF8(_ value: UInt32, to bytes: inout [UInt8]) {
        var v = value
        if v > 0x10_FFFF || (0xD800...0xDFFF).contains(v) { v = 0xFFFD }
        switch v {
        case 0..<0x80:
            bytes.append(UInt8(v))
        case 0x80..<0x800:
            bytes.append(UInt8(0xC0 | (v >> 6)))
            bytes.append(UInt8(0x80 | (v & 0x3F)))
        case 0x800..<0x1_0000:
            bytes.append(UInt8(0xE0 | (v >> 12)))
            bytes.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            bytes.append(UInt8(0x80 | (v & 0x3F)))
        default:
            bytes.append(UInt8(0xF0 | (v >> 18)))
            bytes.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            bytes.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            bytes.append(UInt8(0x80 | (v & 0x3F)))
        }
    }

    /// Python `str.isspace()` for one code point (= `\s` in `re`).
    @inline(__always)
    static func isSpace(_ value: UInt32) -> Bool {
        MosesCharacterClasses.whitespace.contains(value)
    }

    /// Python `str.split()` (no argument): runs of whitespace separate, empty pieces are dropped.
    static func splitOnWhitespace(_ text: [UInt32]) -> [ArraySlice<UInt32>] {
        var pieces: [ArraySlice<UInt32>] = []
        var start: Int? = nil
        for index in text.indices {
            if isSpace(text[index]) {
                if let first = start {
                    pieces.append(text[first..<index])
                    start = nil
                }
            } else if start == nil {
                start = index
            }
        }
        if let first = start { pieces.append(text[first..<text.count]) }
        return pieces
    }

    /// Python `str.strip()` (no argument).
    static func strip(_ text: [UInt32]) -> ArraySlice<UInt32> {
        strip(text[...], where: isSpace)
    }

    /// Python `str.strip(chars)` with the characters given as a predicate.
    static func strip(_ text: ArraySlice<UInt32>, where predicate: (UInt32) -> Bool) -> ArraySlice<UInt32> {
        var low = text.startIndex
        var high = text.endIndex
        while low < high, predicate(text[low]) { low += 1 }
        while high > low, predicate(text[high - 1]) { high -= 1 }
        return text[low..<high]
    }

    /// Whether `pattern` occurs in `text` at `index`.
    @inline(__always)
    static func hasMatch(_ text: [UInt32], _ pattern: [UInt32], at index: Int) -> Bool {
        guard index + pattern.count <= text.count else { return false }
        for offset in 0..<pattern.count where text[index + offset] != pattern[offset] { return false }
        return true
    }

    /// Python `str.replace(pattern, replacement)` (= `re.sub` with a literal pattern): non-overlapping, left to
    /// right. Returns `text` itself when nothing matches.
    static func replacing(_ pattern: [UInt32], with replacement: [UInt32], in text: [UInt32]) -> [UInt32] {
        guard let head = pattern.first, text.count >= pattern.count else { return text }
        var output: [UInt32] = []
        var copied = 0
        var index = 0
        let last = text.count - pattern.count
        while index <= last {
            if text[index] == head, hasMatch(text, pattern, at: index) {
                if output.isEmpty { output.reserveCapacity(text.count + 16) }
                output.append(contentsOf: text[copied..<index])
                output.append(contentsOf: replacement)
                index += pattern.count
                copied = index
            } else {
                index += 1
            }
        }
        if copied == 0 { return text }
        output.append(contentsOf: text[copied...])
        return output
    }

    /// `re.sub(r" +", " ", text)`: collapses runs of U+0020 (only) to one.
    static func collapsingSpaces(_ text: [UInt32]) -> [UInt32] {
        var needed = false
        for index in text.indices.dropFirst() where text[index] == 0x20 && text[index - 1] == 0x20 {
            needed = true
            break
        }
        guard needed else { return text }
        var output: [UInt32] = []
        output.reserveCapacity(text.count)
        for value in text where !(value == 0x20 && output.last == 0x20) { output.append(value) }
        return output
    }

    /// `re.sub(r"\s+", " ", text)`: every run of Python whitespace becomes one U+0020.
    static func collapsingWhitespace(_ text: [UInt32]) -> [UInt32] {
        var output: [UInt32] = []
        output.reserveCapacity(text.count)
        var inRun = false
        for value in text {
            if isSpace(value) {
                if !inRun { output.append(0x20) }
                inRun = true
            } else {
                output.append(value)
                inRun = false
            }
        }
        return output
    }
}
