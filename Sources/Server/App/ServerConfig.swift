import Foundation
import Translation

/// Service settings. Sources, later ones winning: built-in defaults, a JSON config file, `CSANMT_*` environment
/// variables, command-line flags. Secrets are never taken from flags (they would show in `ps`).
public struct ServerConfig: Codable, Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// `/metrics` has its own listener, never the API port: it names every tenant with its traffic.
    public var metricsHost = "127.0.0.1"
    /// 0 = no metrics listener.
    public var metricsPort = 9464
    /// Tenants and keys: a SQLite file (one host), or `postgres://user@host:port/database` (replicas of a cluster;
    /// the password from `$CSANMT_DB_PASSWORD`, `$CSANMT_DB_PASSWORD_FILE` or `$PGPASSWORD`).
    public var db = "csanmt.sqlite"
    /// Master key file (base64 keys, one per line, the encrypting one first) that encrypts the signing secrets;
    /// nil: `$CSANMT_MASTER_KEY`, else `<db>.master-key` (created on first use). Never the key itself.
    public var masterKeyFile: String?
    /// Model folder, or several separated by commas (one per direction); nil = the default model.
    public var model: String?

    /// The model folders named by ``model`` (empty: the default model).
    public var modelFolders: [String] {
        (model ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
    /// Audit log file; nil = none.
    public var auditLog: String?
    public var auditStdout = false
    public var auditMaxBytes = 50 << 20
    /// CIDRs of reverse proxies whose X-Forwarded-For is trusted.
    public var trustedProxies: [String] = []
    /// Origins allowed by CORS (exact match, e.g. `https://translate.example.com`).
    public var corsOrigins: [String] = []
    /// The drop-in API families served (`deepl`, `google`, `libretranslate`); tenants also need `translate:compat`.
    public var compatAPIs: [String] = ["deepl", "google", "libretranslate"]
    public var tokenIssuer = "csanmt"
    public var tokenAudience = "csanmt-api"
    /// Access-token lifetime in seconds (24 h).
    public var tokenLifetime: Double = 86_400
    /// Days until a new API key expires when its creator names none (0 = never).
    public var keyExpiryDays = 365
    /// Lifetime of tokens with the `admin` scope, in seconds (15 minutes; renew with `POST /api/v1/auth/refresh`).
    public var adminTokenLifetime: Double = 900
    /// How long tokens signed with a rotated-out key keep verifying, in seconds.
    public var signingKeyGrace: Double = 86_400
    /// Largest request body in bytes.
    public var maxBodyBytes = 1 << 20
    /// Largest text per request, in Unicode code points.
    public var maxCharacters = 5_000
    /// Most texts in one batch request.
    public var maxBatchItems = 100
    /// Most sentences in one request (413 `too_many_sentences` beyond): 2,500 one-character sentences cost far
    /// more engine time than 5,000 characters of prose.
    public var maxSentencesPerRequest = 500
    /// Defaults of every tenant's weight and limits (a tenant's own values win). 0 = unlimited.
    public var tenantWeight = 1
    public var tenantMaxInFlight = 4
    public var tenantMaxQueuedSentences = 256
    public var tenantRequestsPerSecond = 10
    public var tenantBurst = 20
    public var tenantCharactersPerMinute = 100_000
    /// Redis URL for shared quota counters and the shared cache; nil = in-process counters (one replica only).
    public var redis: String?
    /// Redis URL of the shared translation cache, when it should not live in the counters' Redis (which must never
    /// evict); nil: the cache uses `redis`, over connections of its own. See docs/server.md, "Redis roles".
    public var redisCache: String?
    /// With a PostgreSQL `db`: where audit events wait while the database is unreachable (replayed when it is
    /// back); nil: `csanmt-audit-spool-<port>.jsonl` in the working directory. One per replica.
    public var auditSpool: String?
    /// This replica's name in the central audit trail; nil: the host name and port.
    public var replicaName: String?
    /// `fail-closed` (503 while Redis is down) or `fail-open` (count locally, reconcile when it is back).
    public var quotaFailMode = QuotaFailMode.failClosed.rawValue
    /// Merge concurrent requests' sentences into engine batches.
    public var batching = true
    /// How long the batcher waits for more sentences, in milliseconds.
    public var batchWindowMs: Double = 5
    /// Most sentences per engine call.
    public var batchMaxSentences = 32
    /// Most source tokens per engine call (padding included).
    public var batchMaxTokens = 2_048
    /// Most sentences waiting; beyond it requests get 503 with Retry-After.
    public var queueMaxSentences = 1_024
    /// Engine worker threads; nil = one per core.
    public var workers: Int?
    /// Extra engine threads for light tenants (nothing running, a few sentences waiting); 0 = none.
    public var expressWorkers = 1
    /// Nice value of the regular engine workers while there is an express lane (0-19; Linux, per thread).
    public var batchWorkerNice = 10
    /// Sentences per express batch: a light tenant's, topped up with others' of the same length bucket.
    public var expressBatchSentences = 2
    /// Entries of the in-process translation cache (0 = off).
    public var cacheEntries = 10_000
    /// `tenant` (entries per tenant, the default) or `shared`.
    public var cacheScope = CacheScope.tenant.rawValue
    /// TTL of the Redis translation cache in seconds (0 = no Redis cache). Used only with `redis`.
    public var cacheTTL = 86_400
    /// Seconds a client has to send the request head (slow-loris clients are cut off).
    /// PEM certificate chain and private key: with both, the server speaks HTTPS only (TLS 1.2+), sends
    /// `Strict-Transport-Security`, and reloads them on SIGHUP.
    public var tlsCert: String?
    public var tlsKey: String?
    /// A plain-HTTP port that answers every request with a redirect to HTTPS (0 = none; needs TLS).
    public var redirectHTTPPort = 0
    /// Connections open at once; the next ones get a 503 and are closed (docs/server.md, "Operations").
    public var maxConnections = 1_000
    public var headerTimeout: Double = 10
    /// Seconds a client has to send the body once the head is in.
    public var bodyTimeout: Double = 30
    /// Seconds a keep-alive connection may stay idle.
    public var idleTimeout: Double = 60
    /// Seconds a translation may take before the request fails with 504 and its sentences are dropped.
    public var translationTimeout: Double = 60
    /// Seconds in-flight requests get to finish after SIGTERM/SIGINT.
    public var shutdownGrace: Double = 20
    /// Serve the web UI from this folder instead of the built-in copy (UI development).
    public var webRoot: String?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case host, port, db, model, metricsHost = "metrics_host", metricsPort = "metrics_port", masterKeyFile = "master_key_file"
        case auditLog = "audit_log", auditStdout = "audit_stdout", auditMaxBytes = "audit_max_bytes"
        case trustedProxies = "trusted_proxies", corsOrigins = "cors_origins", compatAPIs = "compat_apis", tokenIssuer = "token_issuer"
        case tokenAudience = "token_audience", tokenLifetime = "token_lifetime", signingKeyGrace = "signing_key_grace"
        case adminTokenLifetime = "admin_token_lifetime", keyExpiryDays = "key_expiry_days"
        case maxBodyBytes = "max_body_bytes", maxCharacters = "max_characters", maxBatchItems = "max_batch_items"
        case maxSentencesPerRequest = "max_sentences_per_request", tenantWeight = "tenant_weight"
        case tenantMaxInFlight = "tenant_max_in_flight", tenantMaxQueuedSentences = "tenant_max_queued_sentences"
        case tenantRequestsPerSecond = "tenant_requests_per_second", tenantBurst = "tenant_burst"
        case tenantCharactersPerMinute = "tenant_characters_per_minute"
        case redis, redisCache = "redis_cache", auditSpool = "audit_spool", replicaName = "replica_name"
        case quotaFailMode = "quota_fail_mode", batching, batchWindowMs = "batch_window_ms"
        case batchMaxSentences = "batch_max_sentences", batchMaxTokens = "batch_max_tokens"
        case queueMaxSentences = "queue_max_sentences", workers, expressWorkers = "express_workers"
        case batchWorkerNice = "batch_worker_nice", expressBatchSentences = "express_batch_sentences"
        case cacheEntries = "cache_entries", cacheScope = "cache_scope"
        case tlsCert = "tls_cert", tlsKey = "tls_key", redirectHTTPPort = "redirect_http_port"
        case cacheTTL = "cache_ttl", maxConnections = "max_connections", headerTimeout = "header_timeout", bodyTimeout = "body_timeout", idleTimeout = "idle_timeout"
        case translationTimeout = "translation_timeout", shutdownGrace = "shutdown_grace", webRoot = "web_root"
    }

    /// Decodes a config file; keys absent from the file keep their defaults.
    public static func load(file: String?, environment: [String: String]) throws -> ServerConfig {
        var config = ServerConfig()
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else { throw StoreError.invalid("cannot read config file \(file)") }
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw StoreError.invalid("\(file): not a JSON object")
            }
            try config.apply(object.mapValues { $0 }, source: file)
        }
        var fromEnv: [String: Any] = [:]
        for key in CodingKeys.allNames {
            if let text = environment["CSANMT_" + key.uppercased()] { fromEnv[key] = try envValue(key, text) }
        }
        try config.apply(fromEnv, source: "environment")
        try config.validate()
        return config
    }

    /// Range checks, naming the setting at fault.
    public func validate() throws {
        func check(_ ok: Bool, _ key: String, _ range: String) throws {
            if !ok { throw StoreError.invalid("setting '\(key)' must be \(range)") }
        }
        try check((1...65_535).contains(port), "port", "1-65535")
        try check((0...65_535).contains(metricsPort), "metrics_port", "0 (off) or 1-65535")
        try check((1...1_000_000).contains(maxConnections), "max_connections", "1-1000000")
        try check((tlsCert == nil) == (tlsKey == nil), "tls_cert", "given together with tls_key")
        try check((0...65_535).contains(redirectHTTPPort), "redirect_http_port", "0 (off) or 1-65535")
        try check(redirectHTTPPort == 0 || tlsCert != nil, "redirect_http_port", "used with tls_cert and tls_key")
        for family in compatAPIs where APIFamily(rawValue: family) == nil || family == APIFamily.native.rawValue {
            throw StoreError.invalid("setting 'compat_apis': unknown API family '\(family)' (known: deepl, google, libretranslate)")
        }
        try check(metricsPort == 0 || metricsPort != port || metricsHost != host, "metrics_port", "another port than the API's")
        try check((60...2_592_000).contains(tokenLifetime), "token_lifetime", "60-2592000 seconds")
        try check((60...86_400).contains(adminTokenLifetime), "admin_token_lifetime", "60-86400 seconds")
        try check((0...3_650).contains(keyExpiryDays), "key_expiry_days", "0 (never) to 3650")
        try check((0...2_592_000).contains(signingKeyGrace), "signing_key_grace", "0-2592000 seconds")
        try check((1_024...(256 << 20)).contains(maxBodyBytes), "max_body_bytes", "1024 bytes to 256 MiB")
        try check((1...10_000_000).contains(maxCharacters), "max_characters", "1-10000000")
        try check((1...10_000).contains(maxBatchItems), "max_batch_items", "1-10000")
        try check(maxSentencesPerRequest >= 1 && maxSentencesPerRequest <= queueMaxSentences, "max_sentences_per_request",
                  "1 to queue_max_sentences (\(queueMaxSentences))")
        try check((1...100).contains(tenantWeight), "tenant_weight", "1-100")
        try check((1...1_000_000).contains(tenantBurst), "tenant_burst", "1-1000000")
        for (key, value) in [("tenant_max_in_flight", tenantMaxInFlight), ("tenant_max_queued_sentences", tenantMaxQueuedSentences),
                             ("tenant_requests_per_second", tenantRequestsPerSecond),
                             ("tenant_characters_per_minute", tenantCharactersPerMinute)] {
            try check((0...1_000_000_000).contains(value), key, "0 (unlimited) to 1000000000")
        }
        try check(auditMaxBytes >= 4_096, "audit_max_bytes", "at least 4096")
        try check(QuotaFailMode(rawValue: quotaFailMode) != nil, "quota_fail_mode", "fail-closed or fail-open")
        try check(CacheScope(rawValue: cacheScope) != nil, "cache_scope", "tenant or shared")
        try check((0...10_000).contains(batchWindowMs), "batch_window_ms", "0-10000")
        try check((1...1_024).contains(batchMaxSentences), "batch_max_sentences", "1-1024")
        try check((16...1_000_000).contains(batchMaxTokens), "batch_max_tokens", "16-1000000")
        try check((1...1_000_000).contains(queueMaxSentences), "queue_max_sentences", "1-1000000")
        try check(workers.map { (1...256).contains($0) } ?? true, "workers", "1-256")
        try check((0...16).contains(expressWorkers), "express_workers", "0-16")
        try check((0...19).contains(batchWorkerNice), "batch_worker_nice", "0-19")
        try check((1...1_024).contains(expressBatchSentences), "express_batch_sentences", "1-1024")
        try check((0...10_000_000).contains(cacheEntries), "cache_entries", "0-10000000")
        try check((0...31_536_000).contains(cacheTTL), "cache_ttl", "0-31536000 seconds")
        for (key, value) in [("header_timeout", headerTimeout), ("body_timeout", bodyTimeout), ("idle_timeout", idleTimeout),
                             ("translation_timeout", translationTimeout), ("shutdown_grace", shutdownGrace)] {
            try check(value > 0 && value <= 3_600, key, "between 0 and 3600 seconds")
        }
        if let redis { _ = try RedisURL(redis) }
        if let redisCache {
            guard redis != nil else { throw StoreError.invalid("redis_cache needs redis (the counters) as well") }
            _ = try RedisURL(redisCache)
        }
        if PostgresURL.isPostgres(db) { _ = try PostgresURL(db, environment: [:]) }
        for p in trustedProxies where CIDR(p) == nil { throw StoreError.invalid("trusted_proxies: '\(p)' is not an address or CIDR") }
    }

    /// Converts an environment string to the setting's JSON type.
    static func envValue(_ key: String, _ text: String) throws -> Any {
        switch key {
        case "host", "metrics_host", "db", "master_key_file", "tls_cert", "tls_key", "model", "audit_log", "token_issuer", "token_audience", "redis", "quota_fail_mode", "cache_scope",
             "web_root", "redis_cache", "audit_spool", "replica_name":
            return text
        case "trusted_proxies", "cors_origins", "compat_apis":
            return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case "audit_stdout", "batching":
            guard let b = ["true": true, "1": true, "false": false, "0": false][text.lowercased()] else {
                throw StoreError.invalid("CSANMT_\(key.uppercased()) must be true or false")
            }
            return b
        default:
            guard let n = Double(text) else { throw StoreError.invalid("CSANMT_\(key.uppercased()) must be a number") }
            return n
        }
    }

    /// Overlays `values` (JSON-typed) onto this config; unknown keys are errors.
    mutating func apply(_ values: [String: Any], source: String) throws {
        var merged = try JSONSerialization.jsonObject(with: JSONEncoder().encode(self)) as? [String: Any] ?? [:]
        for (key, value) in values {
            guard CodingKeys.allNames.contains(key) else { throw StoreError.invalid("\(source): unknown setting '\(key)'") }
            merged[key] = value
        }
        do {
            self = try JSONDecoder().decode(ServerConfig.self, from: JSONSerialization.data(withJSONObject: merged))
        } catch {
            throw StoreError.invalid("\(source): invalid setting (\(error))")
        }
    }

    /// Tenant defaults as ``IsolationDefaults`` (0 → unlimited).
    public var isolationDefaults: IsolationDefaults {
        var d = IsolationDefaults()
        func limit(_ n: Int) -> Int? { n == 0 ? nil : n }
        d.weight = tenantWeight
        d.maxInFlight = limit(tenantMaxInFlight)
        d.maxQueuedSentences = limit(tenantMaxQueuedSentences)
        d.requestsPerSecond = limit(tenantRequestsPerSecond)
        d.burst = tenantBurst
        d.charactersPerMinute = limit(tenantCharactersPerMinute)
        return d
    }

    /// The batcher's settings; `cores` sizes the workers when `workers` is unset.
    public func batchingOptions(cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> BatchingOptions {
        var o = BatchingOptions()
        o.enabled = batching
        o.window = .microseconds(Int(batchWindowMs * 1000))
        o.maxSentences = batchMaxSentences
        o.maxTokens = batchMaxTokens
        o.maxQueued = queueMaxSentences
        o.workers = workers ?? max(1, cores)
        o.expressWorkers = expressWorkers
        o.regularWorkerNice = Int32(batchWorkerNice)
        o.expressBatchSentences = expressBatchSentences
        return o
    }
}

extension ServerConfig.CodingKeys {
    static let allNames = ["host", "port", "metrics_host", "metrics_port", "db", "master_key_file", "model", "audit_log", "audit_stdout", "audit_max_bytes", "trusted_proxies",
                           "cors_origins", "compat_apis", "token_issuer", "token_audience", "token_lifetime", "admin_token_lifetime", "key_expiry_days", "signing_key_grace",
                           "max_body_bytes", "max_characters", "max_batch_items", "max_sentences_per_request",
                           "tenant_weight", "tenant_max_in_flight", "tenant_max_queued_sentences", "tenant_requests_per_second",
                           "tenant_burst", "tenant_characters_per_minute", "redis", "redis_cache", "audit_spool", "replica_name", "quota_fail_mode", "batching",
                           "batch_window_ms", "batch_max_sentences", "batch_max_tokens", "queue_max_sentences", "workers",
                           "express_workers", "batch_worker_nice", "express_batch_sentences",
                           "cache_entries", "cache_scope", "cache_ttl", "max_connections", "tls_cert", "tls_key", "redirect_http_port", "header_timeout", "body_timeout", "idle_timeout",
                           "translation_timeout", "shutdown_grace", "web_root"]
}
