/// Port of sacremoses 0.2.0 `MosesPunctNormalizer` (itself a port of Moses' `normalize-punctuation.perl`).
///
/// Output is identical to `MosesPunctNormalizer(lang=lang, penn=penn, norm_quote_commas=..., norm_numbers=...)
/// .normalize(text)` with `pre_replace_unicode_punct=False`, `post_remove_control_chars=False` and
/// `perl_parity=False` (sacremoses' defaults, and what ModelScope's CSANMT pipeline uses:
/// `MosesPunctNormalizer(lang='en')`). Note that sacremoses applies the `` ` `` → `'` and `''` → `" "` rules
/// when `penn` is *true*, despite their name (NORMALIZE_UNICODE_IF_NOT_PENN).
public struct MosesPunctNormalizer: Sendable {
    /// The language code given at initialisation.
    public let lang: String
    private let steps: [MosesNormalizerStep]

    /// Creates a normalizer with sacremoses' defaults.
    /// - Parameters:
    ///   - lang: language code; `en` moves `"` after `,`/`.`; `de`/`es`/`fr` use their quote rules;
    ///     `de`/`es`/`cz`/`cs`/`fr` turn a no-break space between digits into `,`, all others into `.`.
    ///   - penn: sacremoses' `penn` flag (default `true`).
    ///   - normQuoteCommas: sacremoses' `norm_quote_commas` flag (default `true`).
    ///   - normNumbers: sacremoses' `norm_numbers` flag (default `true`).
    public init(lang: String = "en", penn: Bool = true, normQuoteCommas: Bool = true, normNumbers: Bool = true) {
        self.lang = lang
        var steps = MosesNormalizerStep.extraWhitespace
        if penn { steps += MosesNormalizerStep.normalizeUnicodeIfNotPenn }
        steps += MosesNormalizerStep.normalizeUnicode
        steps += MosesNormalizerStep.frenchQuotes
        steps += MosesNormalizerStep.handlePseudoSpaces
        if normQuoteCommas {
            if lang == "en" {
                steps.append(.quoteAfterCommaOrPeriod)
            } else if ["de", "es", "fr"].contains(lang) {
                steps.append(.literal(",\"", "\","))
                steps.append(.periodsBeforeQuote)
            }
        }
        if normNumbers {
            let separator = ["de", "es", "cz", "cs", "fr"].contains(lang) ? "," : "."
            steps.append(.rule(MosesScalarRule(
                [.member(MosesCharacterClasses.decimal), .scalar(0xA0), .member(MosesCharacterClasses.decimal)],
                template: [.atom(0), .literal(MosesScalarText.scalars(of: separator)), .atom(2)], required: 0xA0)))
        }
        self.steps = steps
    }

    /// Normalizes punctuation and spacing; the result is stripped of leading/trailing (Python) whitespace.
    public func normalize(_ text: String) -> String {
        var scalars = MosesScalarText.scalars(of: text)
        for step in steps { scalars = step.apply(scalars) }
        return MosesScalarText.string(from: MosesScalarText.strip(scalars))
    }
}

/// One `re.sub` of the normalizer.
enum MosesNormalizerStep: Sendable {
    /// A literal pattern and replacement.
    case literal([UInt32], [UInt32])
    /// `re.sub(r" +", " ")`.
    case collapseSpaces
    /// A fixed-width pattern.
    case rule(MosesScalarRule)
    /// EN_QUOTATION_FOLLOWED_BY_COMMA: `"([,.]+)` → `\1"`.
    case quoteAfterCommaOrPeriod
    /// DE_ES_FR_QUOTATION_FOLLOWED_BY_COMMA[1]: `(\.+)"(\s*[^<])` → `"\1\2`.
    case periodsBeforeQuote

    static func literal(_ pattern: String, _ replacement: String) -> MosesNormalizerStep {
        .literal(MosesScalarText.scalars(of: pattern), MosesScalarText.scalars(of: replacement))
    }

    private static let asciiLetters = MosesScalarSet(ranges: [0x41...0x5A, 0x61...0x7A])

    /// EXTRA_WHITESPACE (normalize-punctuation.perl lines 21-30).
    static let extraWhitespace: [MosesNormalizerStep] = [
        literal("\r", ""),
        literal("(", " ("),
        literal(")", ") "),
        .collapseSpaces,
        .rule(MosesScalarRule([.scalar(0x29), .scalar(0x20), .anyOf(MosesScalarText.scalars(of: ".!:?;,"))],
                              template: [.literal([0x29]), .atom(2)], required: 0x29)),
        literal("( ", "("),
        literal(" )", ")"),
        .rule(MosesScalarRule([.member(MosesCharacterClasses.decimal), .scalar(0x20), .scalar(0x25)],
                              template: [.atom(0), .literal([0x25])], required: 0x25)),
        literal(" :", ":"),
        literal(" ;", ";"),
    ]

    /// NORMALIZE_UNICODE_IF_NOT_PENN (applied when `penn` is true).
    static let normalizeUnicodeIfNotPenn: [MosesNormalizerStep] = [
        literal("`", "'"),
        literal("''", " \" "),
    ]

    /// NORMALIZE_UNICODE (lines 37-50).
    static let normalizeUnicode: [MosesNormalizerStep] = [
        literal("\u{201E}", "\""),
        literal("\u{201C}", "\""),
        literal("\u{201D}", "\""),
        literal("\u{2013}", "-"),
        literal("\u{2014}", " - "),
        .collapseSpaces,
        literal("\u{00B4}", "'"),
        .rule(MosesScalarRule([.member(asciiLetters), .scalar(0x2018), .member(asciiLetters)],
                              template: [.atom(0), .literal([0x27]), .atom(2)], required: 0x2018)),
        .rule(MosesScalarRule([.member(asciiLetters), .scalar(0x2019), .member(asciiLetters)],
                              template: [.atom(0), .literal([0x27]), .atom(2)], required: 0x2019)),
        literal("\u{2018}", "'"),
        literal("\u{201A}", "'"),
        literal("\u{2019}", "'"),
        literal("''", "\""),
        literal("\u{00B4}\u{00B4}", "\""),
        literal("\u{2026}", "..."),
    ]

    /// FRENCH_QUOTES (lines 52-57).
    static let frenchQuotes: [MosesNormalizerStep] = [
        literal("\u{00A0}\u{00AB}\u{00A0}", "\""),
        literal("\u{00AB}\u{00A0}", "\""),
        literal("\u{00AB}", "\""),
        literal("\u{00A0}\u{00BB}\u{00A0}", "\""),
        literal("\u{00A0}\u{00BB}", "\""),
        literal("\u{00BB}", "\""),
    ]

    /// HANDLE_PSEUDO_SPACES (lines 59-67).
    static let handlePseudoSpaces: [MosesNormalizerStep] = [
        literal("\u{00A0}%", "%"),
        literal("n\u{00BA}\u{00A0}", "n\u{00BA} "),
        literal("\u{00A0}:", ":"),
        literal("\u{00A0}\u{00BA}C", " \u{00BA}C"),
        literal("\u{00A0}cm", " cm"),
        literal("\u{00A0}?", "?"),
        literal("\u{00A0}!", "!"),
        literal("\u{00A0};", ";"),
        literal(",\u{00A0}", ", "),
        .collapseSpaces,
    ]

    func apply(_ text: [UInt32]) -> [UInt32] {
        switch self {
        case .literal(let pattern, let replacement):
            return MosesScalarText.replacing(pattern, with: replacement, in: text)
        case .collapseSpaces:
            return MosesScalarText.collapsingSpaces(text)
        case .rule(let rule):
            return rule.apply(text)
        case .quoteAfterCommaOrPeriod:
            return Self.moveQuoteAfterCommas(text)
        case .periodsBeforeQuote:
            return Self.movePeriodsAfterQuote(text)
        }
    }

    private static func isCommaOrPeriod(_ value: UInt32) -> Bool { value == 0x2C || value == 0x2E }

    /// `re.sub(r'"([,.]+)', r'\1"', text)`.
    private static func moveQuoteAfterCommas(_ text: [UInt32]) -> [UInt32] {
        guard text.contains(0x22) else { return text }
        var output: [UInt32] = []
        output.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            if text[index] == 0x22, index + 1 < text.count, isCommaOrPeriod(text[index + 1]) {
                var end = index + 1
                while end < text.count, isCommaOrPeriod(text[end]) { end += 1 }
                output.append(contentsOf: text[(index + 1)..<end])
                output.append(0x22)
                index = end
            } else {
                output.append(text[index])
                index += 1
            }
        }
        return output
    }

    /// `re.sub(r'(\.+)"(\s*[^<])', r'"\1\2', text)`. The greedy `\.+` must end right before the quote, so a match
    /// starts at the first period of a run; `\s*[^<]` takes all whitespace plus one non-`<` character, or, when
    /// that character is `<` or missing, gives its last whitespace character to `[^<]`.
    private static func movePeriodsAfterQuote(_ text: [UInt32]) -> [UInt32] {
        guard text.contains(0x22) else { return text }
        var output: [UInt32] = []
        output.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            guard text[index] == 0x2E else {
                output.append(text[index])
                index += 1
                continue
            }
            var runEnd = index
            while runEnd < text.count, text[runEnd] == 0x2E { runEnd += 1 }
            let afterQuote = runEnd + 1
            var matchEnd: Int? = nil
            if runEnd < text.count, text[runEnd] == 0x22 {
                var spaceEnd = afterQuote
                while spaceEnd < text.count, MosesScalarText.isSpace(text[spaceEnd]) { spaceEnd += 1 }
                if spaceEnd < text.count, text[spaceEnd] != 0x3C {
                    matchEnd = spaceEnd + 1
                } else if spaceEnd > afterQuote {
                    matchEnd = spaceEnd
                }
            }
            if let end = matchEnd {
                output.append(0x22)
                output.append(contentsOf: text[index..<runEnd])
                output.append(contentsOf: text[afterQuote..<end])
                index = end
            } else {
                output.append(contentsOf: text[index..<runEnd])
                index = runEnd
            }
        }
        return output
    }
}
