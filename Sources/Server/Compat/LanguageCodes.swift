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
