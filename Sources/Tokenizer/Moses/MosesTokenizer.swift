/// Port of sacremoses 0.2.0 `MosesTokenizer.tokenize` (Moses' `tokenizer.perl`) for English.
///
/// `tokenizedString(x, aggressiveDashSplits: true)` equals
/// `MosesTokenizer(lang='en').tokenize(x, return_str=True, aggressive_dash_splits=True)`, the CSANMT en→zh
/// preprocessing; `tokenize` equals the `return_str=False` list. Protected patterns are not supported.
/// Character classes (IsAlnum, IsAlpha, IsN, IsLower, Python `\s`) are sacremoses' own, measured from Python
/// (see `MosesCharacterTables`).
public struct MosesTokenizer: Sendable {
    /// The language code given at initialisation.
    public let lang: String
    private let prefixes: MosesNonbreakingPrefixes

    /// Creates an English tokenizer, loading the nonbreaking prefixes shipped in the module's resources.
    /// - Throws: `MosesError.unsupportedLanguage` for any language but `en` (other languages need their own
    ///   prefix lists and apostrophe rules); `MosesError.missingResource` if the prefix file is missing.
    public init(lang: String = "en") throws {
        guard lang == "en" else { throw MosesError.unsupportedLanguage(lang) }
        self.lang = lang
        self.prefixes = try MosesNonbreakingPrefixes.english.get()
    }

    /// Tokenizes `text` into tokens (`return_str=False`).
    /// - Parameters:
    ///   - escape: escape `& | < > ' " [ ]` as XML entities (sacremoses' default `true`).
    ///   - aggressiveDashSplits: split `a-b` into `a @-@ b` between alphanumerics.
    public func tokenize(_ text: String, escape: Bool = true, aggressiveDashSplits: Bool = false) -> [String] {
        let scalars = tokenizeScalars(MosesScalarText.scalars(of: text), escape: escape,
                                      aggressiveDashSplits: aggressiveDashSplits)
        return MosesScalarText.splitOnWhitespace(scalars).map { MosesScalarText.string(from: $0) }
    }

    /// Tokenizes `text` and returns the space-joined string exactly as `return_str=True` does (which may keep
    /// a trailing space, e.g. after a split final `.'`).
    public func tokenizedString(_ text: String, escape: Bool = true, aggressiveDashSplits: Bool = false) -> String {
        let scalars = tokenizeScalars(MosesScalarText.scalars(of: text), escape: escape,
                                      aggressiveDashSplits: aggressiveDashSplits)
        return MosesScalarText.string(from: scalars)
    }

    func tokenizeScalars(_ input: [UInt32], escape: Bool, aggressiveDashSplits: Bool) -> [UInt32] {
        // DEDUPLICATE_SPACE, ASCII_JUNK, strip.
        var text = MosesScalarText.collapsingWhitespace(input)
        text.removeAll { $0 < 0x20 }
        text = Array(MosesScalarText.strip(text))
        text = Rules.padNotAlnum.apply(text)
        if aggressiveDashSplits { text = Rules.aggressiveHyphenSplit.apply(text) }
        text = MosesMultidots.replace(text)
        for rule in Rules.commaSeparate { text = rule.apply(text) }
        for rule in Rules.englishApostrophe { text = rule.apply(text) }
        text = handleNonbreakingPrefixes(text)
        text = Array(MosesScalarText.strip(MosesScalarText.collapsingWhitespace(text)))
        text = Self.splitTrailingDotApostrophe(text)
        text = MosesMultidots.restore(text)
        if escape { text = Self.escapeXML(text) }
        return text
    }

    /// `handles_nonbreaking_prefixes`: a token `X.` keeps its period when X contains a period and an IsAlpha
    /// character, or X is a (non-numeric-only) prefix, or the next token starts with an IsLower character, or X
    /// is a numeric-only prefix followed by a token starting with an ASCII digit; otherwise it becomes `X .`.
    private func handleNonbreakingPrefixes(_ text: [UInt32]) -> [UInt32] {
        let tokens = MosesScalarText.splitOnWhitespace(text)
        var output: [UInt32] = []
        output.reserveCapacity(text.count + 8)
        for (index, token) in tokens.enumerated() {
            if index > 0 { output.append(0x20) }
            guard token.count >= 2, token.last == 0x2E else {
                output.append(contentsOf: token)
                continue
            }
            let prefix = Array(token.dropLast())
            let next: ArraySlice<UInt32>? = index + 1 < tokens.count ? tokens[index + 1] : nil
            let keep: Bool
            if prefix.contains(0x2E), prefix.contains(where: MosesCharacterClasses.tokenizerAlpha.contains) {
                keep = true
            } else if prefixes.prefixes.contains(prefix), !prefixes.numericOnly.contains(prefix) {
                keep = true
            } else if let first = next?.first, MosesCharacterClasses.tokenizerLower.contains(first) {
                keep = true
            } else if prefixes.numericOnly.contains(prefix), let first = next?.first, (0x30...0x39).contains(first) {
                keep = true
            } else {
                keep = false
            }
            output.append(contentsOf: prefix)
            if !keep { output.append(0x20) }
            output.append(0x2E)
        }
        return output
    }

    /// TRAILING_DOT_APOSTROPHE: `re.sub(r"\.' ?$", " . ' ", text)`.
    static func splitTrailingDotApostrophe(_ text: [UInt32]) -> [UInt32] {
        let count = text.count
        func isEnd(_ position: Int) -> Bool {
            position == count || (position == count - 1 && text[position] == 0x0A)
        }
        for start in max(0, count - 4)..<max(0, count - 1) where text[start] == 0x2E && text[start + 1] == 0x27 {
            var end: Int? = nil
            if start + 2 < count, text[start + 2] == 0x20, isEnd(start + 3) {
                end = start + 3
            } else if isEnd(start + 2) {
                end = start + 2
            }
            if let end {
                return Array(text[..<start]) + MosesScalarText.scalars(of: " . ' ") + Array(text[end...])
            }
        }
        return text
    }

    /// MOSES_ESCAPE_XML_REGEXES (`&` first, so a single pass per character is equivalent).
    static func escapeXML(_ text: [UInt32]) -> [UInt32] {
        var output: [UInt32] = []
        output.reserveCapacity(text.count + 16)
        for value in text {
            switch value {
            case 0x26: output.append(contentsOf: Entities.ampersand)
            case 0x7C: output.append(contentsOf: Entities.pipe)
            case 0x3C: output.append(contentsOf: Entities.lessThan)
            case 0x3E: output.append(contentsOf: Entities.greaterThan)
            case 0x27: output.append(contentsOf: Entities.apostrophe)
            case 0x22: output.append(contentsOf: Entities.quote)
            case 0x5B: output.append(contentsOf: Entities.leftBracket)
            case 0x5D: output.append(contentsOf: Entities.rightBracket)
            default: output.append(value)
            }
        }
        return output
    }

    private enum Entities {
        static let ampersand = MosesScalarText.scalars(of: "&amp;")
        static let pipe = MosesScalarText.scalars(of: "&#124;")
        static let lessThan = MosesScalarText.scalars(of: "&lt;")
        static let greaterThan = MosesScalarText.scalars(of: "&gt;")
        static let apostrophe = MosesScalarText.scalars(of: "&apos;")
        static let quote = MosesScalarText.scalars(of: "&quot;")
        static let leftBracket = MosesScalarText.scalars(of: "&#91;")
        static let rightBracket = MosesScalarText.scalars(of: "&#93;")
    }

    /// The tokenizer's fixed-width substitutions.
    private enum Rules {
        typealias Classes = MosesCharacterClasses
        static let space: [UInt32] = [0x20]

        /// PAD_NOT_ISALNUM: `([^{IsAlnum}\s\.'\`\,\-])` → ` \1 `.
        static let padNotAlnum = MosesScalarRule(
            [.nonMember(Classes.tokenizerKeepUnpadded)], template: [.literal(space), .atom(0), .literal(space)])

        /// AGGRESSIVE_HYPHEN_SPLIT: `([{IsAlnum}])\-(?=[{IsAlnum}])` → `\1 @-@ `.
        static let aggressiveHyphenSplit = MosesScalarRule(
            [.member(Classes.tokenizerAlnum), .scalar(0x2D)], lookahead: .member(Classes.tokenizerAlnum),
            template: [.atom(0), .literal(MosesScalarText.scalars(of: " @-@ "))], required: 0x2D)

        /// COMMA_SEPARATE_1...3.
        static let commaSeparate: [MosesScalarRule] = [
            MosesScalarRule([.nonMember(Classes.tokenizerNumber), .scalar(0x2C)],
                            template: [.atom(0), .literal(MosesScalarText.scalars(of: " , "))], required: 0x2C),
            MosesScalarRule([.scalar(0x2C), .nonMember(Classes.tokenizerNumber)],
                            template: [.literal(MosesScalarText.scalars(of: " , ")), .atom(1)], required: 0x2C),
            MosesScalarRule([.member(Classes.tokenizerNumber), .scalar(0x2C)], anchoredAtEnd: true,
                            template: [.atom(0), .literal(MosesScalarText.scalars(of: " , "))], required: 0x2C),
        ]

        /// ENGLISH_SPECIFIC_APOSTROPHE (EN_SPECIFIC_1...5).
        static let englishApostrophe: [MosesScalarRule] = {
            let spaced: [MosesTemplatePart] = [.atom(0), .literal(MosesScalarText.scalars(of: " ' ")), .atom(2)]
            let attached: [MosesTemplatePart] = [.atom(0), .literal(MosesScalarText.scalars(of: " '")), .atom(2)]
            let apostrophe = MosesScalarAtom.scalar(0x27)
            let alpha = MosesScalarAtom.member(Classes.tokenizerAlpha)
            let notAlpha = MosesScalarAtom.nonMember(Classes.tokenizerAlpha)
            return [
                // ([^{IsAlpha}])[']([^{IsAlpha}]) -> "\1 ' \2"
                MosesScalarRule([notAlpha, apostrophe, notAlpha], template: spaced, required: 0x27),
                // ([^{IsAlpha}{IsN}])[']([{IsAlpha}]) -> "\1 ' \2"
                MosesScalarRule([.nonMember(Classes.tokenizerAlphaOrNumber), apostrophe, alpha],
                                template: spaced, required: 0x27),
                // ([{IsAlpha}])[']([^{IsAlpha}]) -> "\1 ' \2"
                MosesScalarRule([alpha, apostrophe, notAlpha], template: spaced, required: 0x27),
                // ([{IsAlpha}])[']([{IsAlpha}]) -> "\1 '\2"
                MosesScalarRule([alpha, apostrophe, alpha], template: attached, required: 0x27),
                // ([{IsN}])[']([s]) -> "\1 '\2"
                MosesScalarRule([.member(Classes.tokenizerNumber), apostrophe, .scalar(0x73)],
                                template: attached, required: 0x27),
            ]
        }()
    }
}

/// sacremoses 0.2.0's single-pass multidot handling.
enum MosesMultidots {
    private static let dot = MosesScalarText.scalars(of: "DOT")
    private static let multi = MosesScalarText.scalars(of: "MULTI")

    /// `replace_multidots`: each run of k ≥ 2 periods becomes `" " + "DOT" * k + "MULTI"`, plus `" "` unless the
    /// run ends the text.
    static func replace(_ text: [UInt32]) -> [UInt32] {
        guard text.contains(0x2E) else { return text }
        var output: [UInt32] = []
        output.reserveCapacity(text.count + 16)
        var index = 0
        while index < text.count {
            guard text[index] == 0x2E else {
                output.append(text[index])
                index += 1
                continue
            }
            var end = index
            while end < text.count, text[end] == 0x2E { end += 1 }
            if end - index >= 2 {
                output.append(0x20)
                for _ in index..<end { output.append(contentsOf: dot) }
                output.append(contentsOf: multi)
                if end < text.count { output.append(0x20) }
            } else {
                output.append(0x2E)
            }
            index = end
        }
        return output
    }

    /// `restore_multidots`: every `(?:DOT)+MULTI` becomes as many periods as it has `DOT`s (also where the
    /// input itself contained such text).
    static func restore(_ text: [UInt32]) -> [UInt32] {
        guard text.contains(0x4D) else { return text }  // "M"
        var output: [UInt32] = []
        output.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            var position = index
            var dots = 0
            while MosesScalarText.hasMatch(text, dot, at: position) {
                dots += 1
                position += 3
            }
            if dots > 0, MosesScalarText.hasMatch(text, multi, at: position) {
                output.append(contentsOf: repeatElement(0x2E, count: dots))
                index = position + multi.count
            } else {
                output.append(text[index])
                index += 1
            }
        }
        return output
    }
}
