import Foundation
import Translation

/// Everything the routes depend on, built once at start-up (and by tests, with fakes where useful).
public struct ServerEnvironment: Sendable {
    public let config: ServerConfig
    public let store: any TenantStore
    public let tokens: TokenService
    public let translator: any Translator
    public let audit: AuditLog?
    public let resolver: ClientAddressResolver
    public let now: @Sendable () -> Date
    /// Daily quota counters: Redis when configured, in-process otherwise.
    public let quota: any QuotaCounter
    /// Translation cache (in-process LRU, plus Redis when configured).
    public let cache: TranslationCache
    public let metrics: ServerMetrics
    /// Shared Redis, when configured (readiness checks it).
    public let redis: RedisClient?
    /// Short-window rate limits: Redis when configured, in-process otherwise.
    public let rateLimiter: any RateLimiter
    /// Requests in flight per tenant on this replica.
    public let admission = Admission()
    /// Settings that work but are probably a mistake, for the start-up log.
    public let warnings: [String]
    /// The certificate and key when the server speaks HTTPS (`tls_cert`, `tls_key`).
    public let tls: TLSCertificates?
    /// Open connections against `max_connections`.
    public let connections: ConnectionLimit
    /// Tenant defaults of weight and limits.
    public var isolationDefaults: IsolationDefaults { config.isolationDefaults }

    /// Prefer ``ServerBuilder``, which opens what the settings name; this takes the parts ready-made.
    /// `cacheRedis` nil: the cache shares `redis`.
    public init(config: ServerConfig, store: any TenantStore, translator: any Translator, audit: AuditLog?,
                quota: (any QuotaCounter)? = nil, redis: RedisClient? = nil, cacheRedis: RedisClient? = nil,
                rateLimiter: (any RateLimiter)? = nil,
                metrics: ServerMetrics = ServerMetrics(), now: @escaping @Sendable () -> Date = Date.init) throws {
        self.config = config
        self.store = store
        self.translator = translator
        self.audit = audit
        self.now = now
        self.quota = quota ?? LocalQuotaCounter()
        self.redis = redis
        self.rateLimiter = rateLimiter ?? redis.map {
            RedisRateLimiter(client: $0, mode: QuotaFailMode(rawValue: config.quotaFailMode) ?? .failClosed)
        } ?? LocalRateLimiter()
        self.metrics = metrics
        connections = ConnectionLimit(max: config.maxConnections)
        if let cert = config.tlsCert, let key = config.tlsKey {
            tls = try TLSCertificates(certificatePath: cert, keyPath: key)
        } else {
            tls = nil
        }
        audit?.onDroppedLines { metrics.auditDropped($0) }
        cache = TranslationCache(entries: config.cacheEntries, scope: CacheScope(rawValue: config.cacheScope) ?? .tenant,
                                 redis: cacheRedis ?? redis, ttlSeconds: config.cacheTTL)
        let mode = QuotaFailMode(rawValue: config.quotaFailMode) ?? .failClosed
        tokens = TokenService(store: store, issuer: config.tokenIssuer, audience: config.tokenAudience,
                              lifetime: config.tokenLifetime, adminLifetime: config.adminTokenLifetime, grace: config.signingKeyGrace,
                              denyList: redis.map { RedisTokenDenyList(client: $0, mode: mode, now: now) }, now: now)
        let proxies = try config.trustedProxies.map { text -> CIDR in
            guard let c = CIDR(text) else { throw StoreError.invalid("trusted_proxies: '\(text)' is not an address or CIDR") }
            return c
        }
        resolver = ClientAddressResolver(trustedProxies: proxies)
        warnings = proxies.filter(\.coversEverything).map {
            "trusted_proxies holds \($0), which covers every address: any client can set X-Forwarded-For and pass IP allow-lists; list your proxies' addresses"
        }
    }
}
