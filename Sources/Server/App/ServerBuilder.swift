import Foundation
import Logging
import Translation

/// Wires a server from its settings: the store `db` names, the counters' and the cache's Redis, the audit log and
/// the central audit trail, quotas and rate limits, around a translator (the engine's scheduler, or a test's fake).
/// `csanmt serve` and the tests build through it, so they run the same wiring; tests replace single parts (a
/// moving clock, a fake quota counter) through the optional properties.
public struct ServerBuilder {
    public var config: ServerConfig
    public var translator: any Translator
    public var metrics: ServerMetrics
    public var logger: Logger
    /// Where secrets come from: `CSANMT_MASTER_KEY`, `CSANMT_DB_PASSWORD`, …
    public var environment: [String: String]
    public var now: @Sendable () -> Date
    /// Replacements: used instead of what `config` names.
    public var store: (any TenantStore)?
    public var audit: AuditLog?
    public var quota: (any QuotaCounter)?
    public var redis: RedisClient?
    public var rateLimiter: (any RateLimiter)?

    public init(config: ServerConfig, translator: any Translator, metrics: ServerMetrics = ServerMetrics(),
                logger: Logger = Logger(label: "csanmt"), environment: [String: String] = ProcessInfo.processInfo.environment,
                now: @escaping @Sendable () -> Date = Date.init) {
        self.config = config
        self.translator = translator
        self.metrics = metrics
        self.logger = logger
        self.environment = environment
        self.now = now
    }

    public func build() async throws -> ServerEnvironment {
        let store: any TenantStore
        if let given = self.store {
            store = given
        } else {
            store = try await TenantStores.open(config.db, masterKeyFile: config.masterKeyFile, environment: environment, now: now)
        }
        let audit: AuditLog?
        // With PostgreSQL, the central trail; its spool is per port by default, so replicas in one working
        // directory never share one.
        let central = self.audit != nil ? nil : (store as? PostgresTenantStore).map {
            CentralAuditTrail(store: $0, replica: config.replicaName ?? Self.defaultReplicaName(port: config.port),
                              spoolPath: config.auditSpool ?? "csanmt-audit-spool-\(config.port).jsonl")
        }
        if let given = self.audit {
            audit = given
        } else if config.auditLog != nil || config.auditStdout || central != nil {
            audit = try AuditLog(.init(path: config.auditLog, stdout: config.auditStdout, maxBytes: config.auditMaxBytes, central: central))
        } else {
            audit = nil
        }
        let (quota, counters, cache) = try makeRedis(audit: audit)
        return try ServerEnvironment(config: config, store: store, translator: translator, audit: audit, quota: quota, redis: counters,
                                     cacheRedis: cache, rateLimiter: rateLimiter, metrics: metrics, now: now)
    }

    /// `host:port`, the replica's name in the central audit trail unless `replica_name` is set.
    static func defaultReplicaName(port: Int) -> String {
        (ProcessInfo.processInfo.hostName.isEmpty ? "replica" : ProcessInfo.processInfo.hostName) + ":\(port)"
    }

    /// The quota counter, the counters' Redis and the cache's: two clients, so cache traffic never holds the
    /// connections quota checks need, and a cache Redis that fails or fills trips only the cache's breaker.
    func makeRedis(audit: AuditLog?) throws -> (any QuotaCounter, RedisClient?, RedisClient?) {
        // Given parts (tests) are used as they are, the cache sharing the given client.
        if quota != nil || redis != nil { return (quota ?? LocalQuotaCounter(), redis, redis) }
        guard let text = config.redis else {
            logger.warning("no Redis configured: quotas are counted in this process only (lost on restart, not shared between replicas)")
            return (LocalQuotaCounter(), nil, nil)
        }
        let url = try RedisURL(text)
        let counters = redis ?? RedisClient(url: url)
        let cacheURL = try config.redisCache.map(RedisURL.init) ?? url
        let cache = RedisClient(url: cacheURL)
        let mode = QuotaFailMode(rawValue: config.quotaFailMode) ?? .failClosed
        let metrics = self.metrics, logger = self.logger
        let counter = RedisQuotaCounter(client: counters, mode: mode) { up, message in
            if up { logger.notice("\(message)") } else { logger.error("\(message)") }
            metrics.redis(up: up)
            audit?.write(AuditEvent(time: Date(), requestID: "system", method: "-", path: "-", status: up ? 200 : 503, latencyMs: 0,
                                    error: up ? nil : "redis_unavailable", action: up ? "redis.recovered" : "redis.down",
                                    target: url.description))
        }
        logger.info("quotas in Redis at \(url) (\(mode.rawValue)); shared cache in Redis at \(cacheURL)")
        return (counter, counters, cache)
    }
}
