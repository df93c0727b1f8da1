import Foundation
import Translation

/// Whether cached translations are shared between tenants.
public enum CacheScope: String, Sendable, Codable, CaseIterable {
    /// Each tenant has its own entries (default): cache timing reveals nothing about other tenants' texts.
    case tenant
    /// One cache for all tenants: more hits, but a tenant can tell by latency that someone translated a text before.
    case shared
}

/// Translations by text: an in-process LRU in front of an optional Redis cache with a TTL (shared by replicas).
public final class TranslationCache: Sendable {
    private let local: LRUCache<String>
    private let redis: RedisClient?
    private let ttlSeconds: Int
    public let scope: CacheScope

    public init(entries: Int, scope: CacheScope, redis: RedisClient?, ttlSeconds: Int) {
        local = LRUCache(capacity: entries)
        self.redis = ttlSeconds > 0 ? redis : nil
        self.ttlSeconds = ttlSeconds
        self.scope = scope
    }

    /// Whether anything is cached at all.
    public var isEnabled: Bool { local.capacity > 0 || redis != nil }

    func key(tenant: String, model: String, pair: LanguagePair, text: String) -> String {
        "csanmt:tx:" + CacheKey.make(scope: scope == .tenant ? tenant : "*", model: model, pair: pair, text: text)
    }

    /// Cached translations by position; a Redis failure counts as a miss (the cache is never required).
    func lookup(_ keys: [String]) async -> [String?] {
        var found = keys.map { local.get($0) }
        let missing = found.indices.filter { found[$0] == nil }
        if let redis, !missing.isEmpty,
           case .array(let values)? = try? await redis.command(["MGET"] + missing.map { keys[$0] }), values.count == missing.count {
            for (k, i) in missing.enumerated() {
                if case .string(let s) = values[k] {
                    found[i] = s
                    local.set(keys[i], s)
                }
            }
        }
        return found
    }

    static let storeScript = "for i = 1, #KEYS do redis.call('SET', KEYS[i], ARGV[i + 1], 'EX', ARGV[1]) end return 1"

    /// Stores locally now and in Redis in the background (one round trip; the response does not wait for it).
    func store(_ entries: [(key: String, value: String)]) {
        for e in entries { local.set(e.key, e.value) }
        guard let redis, !entries.isEmpty else { return }
        let argv = ["EVAL", Self.storeScript, String(entries.count)] + entries.map(\.key) + [String(ttlSeconds)] + entries.map(\.value)
        Task.detached { _ = try? await redis.command(argv) }
    }
}
