/// Several translators (one model folder each) served as one: a request goes to the translator of its direction.
/// `csanmt serve --model zh2en --model en2zh` serves both directions from one process; each model keeps its own
/// scheduler and workers.
public final class ModelRouter: Translator, @unchecked Sendable {
    public let translators: [any Translator]
    public let directions: [LanguagePair]
    public let description: String
    public let cacheIdentity: String
    private let byPair: [LanguagePair: any Translator]

    /// Fails when two translators serve the same direction (which one should answer would be a guess).
    public init(_ translators: [any Translator]) throws {
        var byPair: [LanguagePair: any Translator] = [:]
        var directions: [LanguagePair] = []
        for t in translators {
            for pair in t.directions {
                guard byPair[pair] == nil else {
                    throw TranslationError.failed("two models serve \(pair.source)→\(pair.target): give one model folder per direction")
                }
                byPair[pair] = t
                directions.append(pair)
            }
        }
        self.translators = translators
        self.byPair = byPair
        self.directions = directions
        description = translators.map(\.description).joined(separator: "; ")
        cacheIdentity = translators.map(\.cacheIdentity).joined(separator: "+")
    }

    public func translate(_ job: TranslationJob) async throws -> [TranslatedText] {
        guard let t = byPair[job.pair] else { throw TranslationError.unsupportedPair(job.pair) }
        return try await t.translate(job)
    }

    /// Sentences as the first translator counts them (every model here splits text the same way).
    public func sentenceCount(_ texts: [String]) -> Int { translators.first?.sentenceCount(texts) ?? texts.count }
    public func queuedSentences(tenant: String) -> Int { translators.reduce(0) { $0 + $1.queuedSentences(tenant: tenant) } }
    public var queuedSentences: Int { translators.reduce(0) { $0 + $1.queuedSentences } }
}
