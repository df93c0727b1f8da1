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
    static let fields = ["text", "source", "target"]
    let text: TextInput
    let source: String?
    let target: String?
}

struct TranslateResponse: Encodable, Sendable {
    struct Usage: Encodable, Sendable { let characters: Int }
    let translatedText: TextInput
    let usage: Usage
    /// Present only when a translation was cut: `true` (one text) or one flag per text (a list).
    let truncated: TruncatedFlags?
    enum CodingKeys: String, CodingKey { case translatedText = "translated_text", usage, truncated }
}

/// `truncated` in the shape of `text`: one flag, or one per text.
enum TruncatedFlags: Encodable, Sendable {
    case single(Bool)
    case batch([Bool])

    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .single(let b): try c.encode(b)
        case .batch(let a): try c.encode(a)
        }
    }
}
