/// Python `str` whitespace semantics, which the reference pipeline relies on (`strip()`, `split()`).
enum PythonText {
    /// `str.isspace()` for one code point.
    static func isSpace(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// `s.split()`: runs of whitespace separate fields; no empty fields.
    static func split(_ s: String) -> [String] {
        var out: [String] = [], current = String.UnicodeScalarView()
        for c in s.unicodeScalars {
            if isSpace(c) {
                if !current.isEmpty { out.append(String(current)); current = .init() }
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { out.append(String(current)) }
        return out
    }

    /// `s.strip()`.
    static func strip(_ s: String) -> String {
        let scalars = s.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
              let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[first...last])
    }
}
