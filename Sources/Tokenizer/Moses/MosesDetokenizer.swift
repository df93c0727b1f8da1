/// Port of sacremoses 0.2.0 `MosesDetokenizer.detokenize` (Moses' `detokenizer.perl`).
///
/// Equals `MosesDetokenizer(lang=lang).detokenize(tokens)` (`return_str=True`, `unescape=True`), including
/// sacremoses' CJK handling: a token whose first character is CJK by `sacremoses.util.is_cjk` is glued to a
/// previous token ending in a CJK character (except for `ko`). `is_cjk` covers e.g. `。` (U+3002) but not the
/// full-width forms `，！？` nor `“”·`, so `你好 ， 世界 。` becomes `你好 ， 世界。`.
public struct MosesDetokenizer: Sendable {
    /// The language code given at initialisation.
    public let lang: String

    /// Languages with detokenization rules this port does not implement (French/Italian/Irish contractions,
    /// Czech, Finnish).
    public static let unsupportedLanguages: Set<String> = ["fr", "it", "ga", "cs", "fi"]

    /// Creates a detokenizer. English gets the contraction and possessive-quote rules; other languages (e.g.
    /// `zh`) only the language-independent ones, as in sacremoses.
    /// - Throws: `MosesError.unsupportedLanguage` for the languages in `unsupportedLanguages`.
    public init(lang: String = "en") throws {
        guard !Self.unsupportedLanguages.contains(lang) else { throw MosesError.unsupportedLanguage(lang) }
        self.lang = lang
    }

    /// Joins `tokens` into detokenized text.
    public func detokenize(_ tokens: [String]) -> String {
        var joined: [UInt32] = [0x20]
        for (index, token) in tokens.enumerated() {
            if index > 0 { joined.append(0x20) }
            for scalar in token.unicodeScalars { joined.append(scalar.value) }
        }
        joined.append(0x20)
        return MosesScalarText.string(from: detokenizeScalars(joined))
    }

    /// Detokenizes the already padded, space-joined text `" " + " ".join(tokens) + " "`.
    func detokenizeScalars(_ padded: [UInt32]) -> [UInt32] {
        var text = MosesScalarText.replacing(Self.hyphenSplit, with: [0x2D], in: padded)
        for (pattern, replacement) in Self.unescapes {
            text = MosesScalarText.replacing(pattern, with: replacement, in: text)
        }
        let tokens = MosesScalarText.splitOnWhitespace(text)
        let english = lang == "en"
        let classes = (cjk: MosesCharacterClasses.cjk, currency: MosesCharacterClasses.detokenizerCurrency,
                       alpha: MosesCharacterClasses.detokenizerAlpha)

        var quoteCounts: [[UInt32]: Int] = [:]
        var prependSpace = true
        var output: [UInt32] = []
        output.reserveCapacity(text.count)
        func append(_ token: ArraySlice<UInt32>, space: Bool) {
            if space { output.append(0x20) }
            output.append(contentsOf: token)
        }

        for (index, token) in tokens.enumerated() {
            guard let first = token.first else { continue }
            if lang != "ko", classes.cjk.contains(first) {
                if index > 0, let previousLast = tokens[index - 1].last, classes.cjk.contains(previousLast) {
                    append(token, space: false)
                } else {
                    append(token, space: prependSpace)
                }
                prependSpace = true
            } else if token.allSatisfy(classes.currency.contains) {
                // IS_CURRENCY_SYMBOL: right shift.
                append(token, space: prependSpace)
                prependSpace = false
            } else if token.allSatisfy(Self.isPunctuation) {
                // IS_PUNCT: left shift.
                append(token, space: false)
                prependSpace = true
            } else if english, index > 0, token.count >= 2, first == 0x27,
                      classes.alpha.contains(token[token.startIndex + 1]) {
                // IS_ENGLISH_CONTRACTION: left shift.
                append(token, space: false)
                prependSpace = true
            } else if token.allSatisfy(Self.isOpenQuote) {
                let key = token.allSatisfy(Self.isCurlyDoubleQuote) ? [0x22] : Array(token)
                let count = quoteCounts[key, default: 0]
                if count % 2 == 0 {
                    if english, token.count == 1, first == 0x27, index > 0, tokens[index - 1].last == 0x73 {
                        // Possessive after "s" ("The Jones' house"): left shift, count unchanged.
                        append(token, space: false)
                        prependSpace = true
                    } else {
                        append(token, space: prependSpace)
                        prependSpace = false
                        quoteCounts[key] = count + 1
                    }
                } else {
                    append(token, space: false)
                    prependSpace = true
                    quoteCounts[key] = count + 1
                }
            } else {
                append(token, space: prependSpace)
                prependSpace = true
            }
        }
        // ONE_SPACE (" {2,}" -> " "), then strip.
        return Array(MosesScalarText.strip(MosesScalarText.collapsingSpaces(output)))
    }

    /// AGGRESSIVE_HYPHEN_SPLIT undo: `" @-@ "` → `"-"`.
    private static let hyphenSplit = MosesScalarText.scalars(of: " @-@ ")

    /// MOSES_UNESCAPE_XML_REGEXES, in sacremoses' order.
    private static let unescapes: [([UInt32], [UInt32])] = [
        ("&bar;", "|"), ("&#124;", "|"), ("&lt;", "<"), ("&gt;", ">"), ("&bra;", "["), ("&ket;", "]"),
        ("&quot;", "\""), ("&apos;", "'"), ("&#91;", "["), ("&#93;", "]"), ("&amp;", "&"),
    ].map { (MosesScalarText.scalars(of: $0.0), MosesScalarText.scalars(of: $0.1)) }

    /// IS_PUNCT class `[\,\.\?\!\:\;\\\%\}\]\)]`.
    private static func isPunctuation(_ value: UInt32) -> Bool {
        switch value {
        case 0x2C, 0x2E, 0x3F, 0x21, 0x3A, 0x3B, 0x5C, 0x25, 0x7D, 0x5D, 0x29: return true
        default: return false
        }
    }

    /// IS_OPEN_QUOTE class `[\'\"„“`]`.
    private static func isOpenQuote(_ value: UInt32) -> Bool {
        value == 0x27 || value == 0x22 || value == 0x201E || value == 0x201C || value == 0x60
    }

    /// `[„“”]` (such tokens count as `"`).
    private static func isCurlyDoubleQuote(_ value: UInt32) -> Bool {
        value == 0x201E || value == 0x201C || value == 0x201D
    }
}
