/// UTF-8 helpers with exactly the semantics of sentencepiece's `string_util` (util.h / util.cc).
enum SentencePieceUTF8 {
    /// The meta symbol U+2581 (LOWER ONE EIGHTH BLOCK) that stands for a space inside pieces.
    static let spaceSymbol: [UInt8] = [0xE2, 0x96, 0x81]
    /// U+FFFD REPLACEMENT CHARACTER.
    static let replacementCharacter: [UInt8] = [0xEF, 0xBF, 0xBD]

    /// `string_util::OneCharLen`: the length of a UTF-8 sequence judged by its lead byte only
    /// (0x00-0xBF: 1, 0xC0-0xDF: 2, 0xE0-0xEF: 3, 0xF0-0xFF: 4). Callers clamp it to the bytes left.
    @inline(__always)
    static func oneCharLength(_ lead: UInt8) -> Int {
        switch lead >> 4 {
        case 0xC, 0xD: return 2
        case 0xE: return 3
        case 0xF: return 4
        default: return 1
        }
    }

    @inline(__always)
    private static func isTrail(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }

    @inline(__always)
    private static func isValidScalar(_ value: UInt32) -> Bool {
        value < 0xD800 || (value >= 0xE000 && value <= 0x10FFFF)
    }

    /// `string_util::IsValidDecodeUTF8`: decodes one character at `start` (which must be `< end`).
    /// Returns whether it is well formed and how many bytes it takes (1 for a malformed byte).
    static func decodeCharacter(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, end: Int) -> (valid: Bool, length: Int) {
        let available = end - start
        let b0 = bytes[start]
        if b0 < 0x80 { return (true, 1) }
        if available >= 2, b0 & 0xE0 == 0xC0 {
            let b1 = bytes[start + 1]
            let value = (UInt32(b0 & 0x1F) << 6) | UInt32(b1 & 0x3F)
            if isTrail(b1), value >= 0x80 { return (true, 2) }
        } else if available >= 3, b0 & 0xF0 == 0xE0 {
            let b1 = bytes[start + 1], b2 = bytes[start + 2]
            let value = (UInt32(b0 & 0x0F) << 12) | (UInt32(b1 & 0x3F) << 6) | UInt32(b2 & 0x3F)
            if isTrail(b1), isTrail(b2), value >= 0x800, isValidScalar(value) { return (true, 3) }
        } else if available >= 4, b0 & 0xF8 == 0xF0 {
            let b1 = bytes[start + 1], b2 = bytes[start + 2], b3 = bytes[start + 3]
            let value = (UInt32(b0 & 0x07) << 18) | (UInt32(b1 & 0x3F) << 12) | (UInt32(b2 & 0x3F) << 6)
                | UInt32(b3 & 0x3F)
            if isTrail(b1), isTrail(b2), isTrail(b3), value >= 0x10000, isValidScalar(value) { return (true, 4) }
        }
        return (false, 1)
    }

    /// Whether `bytes[range]` equals `pattern`.
    @inline(__always)
    static func matches(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, end: Int, _ pattern: [UInt8]) -> Bool {
        guard end - start >= pattern.count else { return false }
        for k in 0..<pattern.count where bytes[start + k] != pattern[k] { return false }
        return true
    }
}
