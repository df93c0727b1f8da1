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
    /// Cancelling the calling task drops the texts' queued sentences. Throws ``TranslationError/busy(retryAfterSeconds:)``
    /// when the backend's queue is full.
    func translate(_ texts: [String], pair: LanguagePair) async throws -> [String]
    /// A stable identity of the model and decoding settings (part of cache keys).
    var cacheIdentity: String { get }
}

/// Translation failures the API reports as such.
public enum TranslationError: Error, Sendable, Equatable, CustomStringConvertible {
    case unsupportedPair(LanguagePair)
    case failed(String)
    /// The scheduler's queue is full; try again after the given seconds.
    case busy(retryAfterSeconds: Int)

    public var description: String {
        switch self {
        case let .unsupportedPair(p): return "the model does not translate \(p.source) → \(p.target)"
        case let .failed(m): return m
        case let .busy(s): return "the service is busy; retry in \(s) s"
        }
    }
}
