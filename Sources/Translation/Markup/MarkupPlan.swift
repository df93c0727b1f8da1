/// What of a request's texts goes to the model, and how the translations are put back: markup and protected spans
/// are kept (``HTMLSegmenter``, ``ProtectedSpans``), the translatable stretches between them become `pieces`, and
/// ``assemble(_:)`` rebuilds each text around their translations.
///
/// A plain text with nothing to protect is one piece, itself: the model sees exactly what it did before.
struct MarkupPlan: Sendable {
    enum Part: Sendable {
        case literal(String)
        /// The translation of `pieces[index]`, escaped for markup when `escape`.
        case piece(Int, escape: Bool)
    }

    /// The stretches to translate, in order.
    private(set) var pieces: [String] = []
    /// Per text, the parts that rebuild it.
    private(set) var templates: [[Part]] = []

    /// Every text one piece, nothing kept: ModelScope's exact pipeline (`--no-split`).
    init(verbatim texts: [String]) {
        pieces = texts
        templates = texts.indices.map { [.piece($0, escape: false)] }
    }

    init(_ texts: [String], options: TextOptions) {
        for text in texts {
            var parts: [Part] = []
            switch options.format {
            case .text:
                add(ProtectedSpans.segments(text, terms: options.keep), markup: false, to: &parts)
            case .html, .xml:
                for segment in HTMLSegmenter.segments(text, ignoreTags: Set(options.ignoreTags), xml: options.format == .xml) {
                    switch segment {
                    case .kept(let s): parts.append(.literal(s))
                    case .text(let s):
                        // Entities are decoded for the model and the translation escaped again; a text node whose
                        // entities are all it has (`&nbsp;`) is kept byte for byte.
                        add(ProtectedSpans.segments(MarkupEntities.decode(s), terms: options.keep), markup: true, to: &parts,
                            original: s)
                    }
                }
            }
            templates.append(parts)
        }
    }

    /// Adds `segments` of one stretch: kept segments as literals, translatable ones as pieces with their leading and
    /// trailing white space kept as literals; stretches with no letter (punctuation, digits, white space) stay.
    private mutating func add(_ segments: [TextSegment], markup: Bool, to parts: inout [Part], original: String? = nil) {
        if let original, !segments.contains(where: { if case .text(let t) = $0 { return Self.hasLetter(t) }; return false }) {
            parts.append(.literal(original))
            return
        }
        for segment in segments {
            switch segment {
            case .kept(let s):
                parts.append(.literal(markup ? MarkupEntities.escape(s) : s))
            case .text(let t):
                guard Self.hasLetter(t) else { parts.append(.literal(markup ? MarkupEntities.escape(t) : t)); continue }
                // `t` has a letter, so its leading and trailing white space never overlap; the core is what lies between.
                let lead = t.prefix { $0.isWhitespace }, trail = String(t.reversed().prefix { $0.isWhitespace }.reversed())
                if !lead.isEmpty { parts.append(.literal(String(lead))) }
                parts.append(.piece(pieces.count, escape: markup))
                pieces.append(String(t.dropFirst(lead.count).dropLast(trail.count)))
                if !trail.isEmpty { parts.append(.literal(trail)) }
            }
        }
    }

    static func hasLetter(_ s: String) -> Bool { s.unicodeScalars.contains { $0.properties.isAlphabetic } }

    /// The texts rebuilt around `translations` (one per piece); a text is truncated when one of its pieces was.
    func assemble(_ translations: [TranslatedText]) -> [TranslatedText] {
        templates.map { parts in
            var text = "", truncated = false
            for part in parts {
                switch part {
                case .literal(let s): text += s
                case .piece(let i, let escape):
                    text += escape ? MarkupEntities.escape(translations[i].text) : translations[i].text
                    truncated = truncated || translations[i].truncated
                }
            }
            return TranslatedText(text: text, truncated: truncated)
        }
    }
}

extension TranslationJob {
    /// Runs `translate` on the job's translatable pieces (markup and protected spans cut out, per ``options``) and
    /// rebuilds each text around their translations: what ``EngineTranslator`` does, for any backend (test fakes).
    public func translatingPieces(_ translate: ([String]) async throws -> [TranslatedText]) async rethrows -> [TranslatedText] {
        let plan = MarkupPlan(texts, options: options)
        return plan.assemble(try await translate(plan.pieces))
    }
}

extension TextOptions {
    /// The part of `texts` that reaches the model (markup and kept spans cut out): what language detection reads, so
    /// that tag names and URLs do not count as English.
    public func translatableText(_ texts: [String]) -> String {
        MarkupPlan(texts, options: self).pieces.joined(separator: "\n")
    }
}
