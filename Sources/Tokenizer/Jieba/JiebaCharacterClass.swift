/// The character classes of jieba's regular expressions, on Unicode code points (Python `str` elements).
enum JiebaCharacterClass {
    /// `re_han_default = [\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]`: the characters of a block cut with the dictionary.
    @inline(__always)
    static func isDefaultHan(_ v: UInt32) -> Bool {
        if v >= 0x4E00 { return v <= 0x9FD5 }
        switch v {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true       // 0-9 A-Z a-z
        case 0x2B, 0x23, 0x26, 0x2E, 0x5F, 0x25, 0x2D: return true     // + # & . _ % -
        default: return false
        }
    }

    /// finalseg's `re_han = [\u4E00-\u9FD5]`: the characters the HMM labels.
    @inline(__always)
    static func isFinalsegHan(_ v: UInt32) -> Bool { v >= 0x4E00 && v <= 0x9FD5 }

    /// `[a-zA-Z0-9]`.
    @inline(__always)
    static func isASCIIAlphanumeric(_ v: UInt32) -> Bool {
        (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A)
    }

    /// Python's `\d` in a `str` pattern: any Unicode decimal digit (general category Nd).
    @inline(__always)
    static func isDecimalDigit(_ v: UInt32) -> Bool {
        if v < 0x80 { return v >= 0x30 && v <= 0x39 }
        guard let scalar = Unicode.Scalar(v) else { return false }
        return scalar.properties.generalCategory == .decimalNumber
    }
}
