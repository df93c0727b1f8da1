/// Language codes as each drop-in family writes them, against the server's own (`zh`, `en`).
enum LanguageCodes {
    /// The server's code for a family's code (case-insensitive), nil when the server has no such language.
    static func normalize(_ code: String, _ family: APIFamily) -> String? {
        switch code.lowercased() {
        case "zh", "zh-hans", "zh-cn", "zh-sg", "zh_cn", "cmn": return "zh"
        case "en", "en-us", "en-gb", "en_us", "en_gb": return "en"
        default: return nil
        }
    }

    /// `code` (`zh`/`en`) as the family writes a detected or listed language.
    static func display(_ code: String, _ family: APIFamily) -> String {
        switch family {
        case .deepl: return code.uppercased()
        case .google: return code == "zh" ? "zh-CN" : code
        case .libretranslate, .native: return code
        }
    }

    /// English names, for the language lists.
    static func name(_ code: String) -> String {
        switch code {
        case "zh": return "Chinese"
        case "en": return "English"
        default: return code
        }
    }

    /// The server's code, or a 400 naming the parameter and what the server serves.
    static func require(_ code: String, parameter: String, _ family: APIFamily, served: [String]) throws -> String {
        guard let c = normalize(code, family) else {
            let listed = served.map { display($0, family) }.joined(separator: ", ")
            throw APIError.badRequest("Value for '\(parameter)' not supported: '\(code)' (this server has \(listed))")
        }
        return c
    }
}

/// Tells Chinese from English text by its letters: Han characters against Latin letters (a Han character carries
/// about as much as a short word, so it counts double). Enough to route text to the zh→en or en→zh model; it is not
/// a general language identifier.
enum LanguageGuess {
    /// `zh` or `en` with a confidence in 0...1; `fallback` when the text has no letters of either kind.
    static func guess(_ text: String, fallback: String) -> (language: String, confidence: Double) {
        var han = 0, latin = 0
        for s in text.unicodeScalars {
            switch s.value {
            case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0xF900...0xFAFF: han += 1
            case 0x41...0x5A, 0x61...0x7A: latin += 1
            default: break
            }
        }
        let weightedHan = Double(2 * han), total = Double(2 * han + latin)
        guard total > 0 else { return (fallback, 0) }
        return weightedHan * 2 >= total ? ("zh", weightedHan / total) : ("en", Double(latin) / total)
    }
}
