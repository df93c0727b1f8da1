/// A translation direction, e.g. zh → en.
public struct LanguagePair: Hashable, Sendable, Codable {
    public let source: String
    public let target: String
    public init(source: String, target: String) {
        self.source = source
        self.target = target
    }
}

/// One request's texts, how to read them, and who asks (for fair scheduling between tenants).
public struct TranslationJob: Sendable {
    public var texts: [String]
    public var pair: LanguagePair
    public var owner: SchedulingClass
    /// Markup and what to keep (``TextOptions``); plain text by default.
    public var options: TextOptions
    public init(texts: [String], pair: LanguagePair, owner: SchedulingClass, options: TextOptions = .plain) {
        self.texts = texts
        self.pair = pair
        self.owner = owner
        self.options = options
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
    /// when the backend's queue is full and ``TranslationError/overShare(retryAfterSeconds:)`` when the owner's is.
    func translate(_ job: TranslationJob) async throws -> [TranslatedText]
    /// Sentences the texts hold as the backend will count them (cheap: no tokenisation). The server refuses
    /// requests with too many before any work.
    func sentenceCount(_ texts: [String]) -> Int
    /// Sentences of `tenant` waiting for the engine (admission control).
    func queuedSentences(tenant: String) -> Int
    /// Sentences waiting for the engine, all tenants.
    var queuedSentences: Int { get }
    /// A stable identity of the model and decoding settings (part of cache keys).
    var cacheIdentity: String { get }
}

/// One text's translation, and whether part of it was cut: a chunk's decoding ran out of steps before `</s>`.
/// A truncated translation is still returned (most of it is there), flagged so that the client knows.
public struct TranslatedText: Sendable, Equatable, Codable {
    public var text: String
    public var truncated: Bool
    public init(text: String, truncated: Bool = false) {
        self.text = text
        self.truncated = truncated
    }
}

/// Translation failures the API reports as such.
public enum TranslationError: Error, Sendable, Equatable, CustomStringConvertible {
    case unsupportedPair(LanguagePair)
    case failed(String)
    /// The scheduler's queue is full; try again after the given seconds.
    case busy(retryAfterSeconds: Int)
    /// The tenant already has as many sentences waiting as its share allows.
    case overShare(retryAfterSeconds: Int)

    public var description: String {
        switch self {
        case let .unsupportedPair(p): return "the model does not translate \(p.source) → \(p.target)"
        case let .failed(m): return m
        case let .busy(s): return "the service is busy; retry in \(s) s"
        case let .overShare(s): return "this tenant has as many sentences waiting as its share allows; retry in \(s) s"
        }
    }
}

/// Too many sentences in one request for the server's limit, or for the scheduler's whole queue (the server
/// answers 413 `too_many_sentences`).
public struct TooManySentences: Error, Sendable, Equatable {
    public let count: Int
    public let limit: Int
    public init(count: Int, limit: Int) {
        self.count = count
        self.limit = limit
    }
}

extension Translator {
    /// Texts in, texts out, scheduled as `tenant` with weight 1 (tests and single-tenant callers).
    public func translate(_ texts: [String], pair: LanguagePair, tenant: String = "default") async throws -> [String] {
        try await translate(TranslationJob(texts: texts, pair: pair, owner: SchedulingClass(tenant: tenant))).map(\.text)
    }

    /// One sentence per text (backends that do not split).
    public func sentenceCount(_ texts: [String]) -> Int { texts.count }
    public func queuedSentences(tenant: String) -> Int { 0 }
    public var queuedSentences: Int { 0 }
}
