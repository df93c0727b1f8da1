import Foundation
import HTTPTypes
import Translation

/// `text` as the client sent it: one string or an array (the response mirrors the shape).
enum TextInput: Codable, Sendable, Equatable {
    case single(String)
    case batch([String])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            self = .single(s)
        } else if let a = try? c.decode([String].self) {
            self = .batch(a)
        } else {
            throw APIError.badRequest("'text' must be a string or an array of strings")
        }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .single(let s): try c.encode(s)
        case .batch(let a): try c.encode(a)
        }
    }

    var texts: [String] {
        switch self {
        case .single(let s): return [s]
        case .batch(let a): return a
        }
    }
}

/// One translation request, whatever API family it came in: its texts, the languages asked for (nil: the
/// model's default) and whether the client sent a list (lists need `translate:batch`).
struct TranslationCall: Sendable {
    var texts: [String]
    var source: String?
    var target: String?
    var isBatch: Bool
    /// Markup and terms to keep (plain text by default).
    var options: TextOptions = .plain
}

/// What ``ServerApp/perform(_:identity:context:env:)`` gives back: one output per text, the characters billed,
/// the direction used, and the RateLimit headers.
struct TranslationResult: Sendable {
    var outputs: [String]
    /// Per text: whether its translation was cut (see ``TranslatedText``).
    var truncated: [Bool]
    var characters: Int
    var pair: LanguagePair
    var headers: HTTPFields
}

struct TranslateRequest: ClosedBody, Sendable {
    static let fields = CodingKeys.allCases.map(\.stringValue)
    let text: TextInput
    let source: String?
    let target: String?
    /// `text` (default), `html` or `xml`.
    let format: String?
    /// Elements whose content is kept as it is (html and xml).
    let ignoreTags: [String]?
    /// Terms kept exactly as written.
    let doNotTranslate: [String]?
    enum CodingKeys: String, CodingKey, CaseIterable {
        case text, source, target, format
        case ignoreTags = "ignore_tags", doNotTranslate = "do_not_translate"
    }

    /// The request's ``TextOptions``; 400 for an unknown format.
    func textOptions() throws -> TextOptions {
        try TextOptions.parse(format: format, ignoreTags: ignoreTags ?? [], keep: doNotTranslate ?? [])
    }
}

extension TextOptions {
    /// Options from a request's parameters: `format` is `text`, `html` or `xml` (any case; absent: text). Tag names
    /// and terms are bounded so that a request cannot make the work unbounded.
    static func parse(format: String?, ignoreTags: [String], keep: [String]) throws -> TextOptions {
        let name = (format ?? "text").lowercased()
        guard let f = TextOptions.Format(rawValue: name == "plain" ? "text" : name) else {
            throw APIError.badRequest("format must be text, html or xml; got '\(format ?? "")'")
        }
        // Each term to keep is searched for in every text: their number and length are bounded.
        guard keep.count <= 200, (ignoreTags + keep).allSatisfy({ $0.count <= 200 }) else {
            throw APIError.badRequest("at most 200 terms to keep; terms and tag names at most 200 characters each")
        }
        let tags = ignoreTags.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return TextOptions(format: f, ignoreTags: tags, keep: keep.filter { !$0.isEmpty })
    }
}

struct TranslateResponse: Encodable, Sendable {
    struct Usage: Encodable, Sendable { let characters: Int }
    let translatedText: TextInput
    let usage: Usage
    /// Present only when a translation was cut: `true` (one text) or one flag per text (a list).
    let truncated: OneOrMany<Bool>?
    enum CodingKeys: String, CodingKey { case translatedText = "translated_text", usage, truncated }
}
