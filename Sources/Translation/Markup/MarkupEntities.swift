/// Character references in HTML and XML text: decoded for the model, escaped again in the translation.
enum MarkupEntities {
    /// The named references common in text (the rest of HTML's 2,000 names are rare in running text and are kept
    /// as they are, undecoded).
    static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}", "mdash": "—", "ndash": "–",
        "hellip": "…", "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”", "copy": "©", "reg": "®", "trade": "™",
        "middot": "·", "laquo": "«", "raquo": "»", "times": "×", "deg": "°", "euro": "€",
    ]

    /// `&amp;`, `&#39;`, `&#x4E2D;` and the names above, decoded; anything else is left as written.
    static func decode(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = "", i = s.startIndex
        while i < s.endIndex {
            guard s[i] == "&", let semicolon = s[i...].prefix(12).firstIndex(of: ";") else {
                out.append(s[i])
                i = s.index(after: i)
                continue
            }
            let name = s[s.index(after: i)..<semicolon]
            var replacement: String?
            if name.hasPrefix("#x") || name.hasPrefix("#X") {
                replacement = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else if name.hasPrefix("#") {
                replacement = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else {
                replacement = named[String(name)]
            }
            if let replacement {
                out += replacement
                i = s.index(after: semicolon)
            } else {
                out.append(s[i])
                i = s.index(after: i)
            }
        }
        return out
    }

    /// `&`, `<` and `>` escaped (enough for text content; attribute values are never rewritten).
    static func escape(_ s: String) -> String {
        guard s.contains(where: { $0 == "&" || $0 == "<" || $0 == ">" }) else { return s }
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.append(c)
            }
        }
        return out
    }
}
