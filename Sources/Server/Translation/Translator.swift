/// A translation direction, e.g. zh → en.
public struct LanguagePair: Hashable, Sendable, Codable {
    public let source: String
    public let target: String
    public init(source: String, target: String) {
        self.source = source
        self.target = target
    }
}

/// What the HTTP layer needs from a translation backend. The server never sees tensors or ids.
public protocol Translator: Sendable {
    /// Directions this backend serves; the first is the default.
    var directions: [LanguagePair] { get }
    /// A short description for `/api/ready` and logs (model folder, kernel).
    var description: String { get }
    /// Translates each text (a text may hold several sentences and paragraphs); the result has the same count.
    func translate(_ texts: [String], pair: LanguagePair) async throws -> [String]
}

/// Translation failures the API reports as such.
public enum TranslationError: Error, Sendable, Equatable, CustomStringConvertible {
    case unsupportedPair(LanguagePair)
    case failed(String)

    public var description: String {
        switch self {
        case let .unsupportedPair(p): return "the model does not translate \(p.source) → \(p.target)"
        case let .failed(m): return m
        }
    }
}
