import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOSSL
import PostgresNIO

/// The ``TenantStore`` of a cluster: PostgreSQL shared by every replica, through postgres-nio's connection pool.
///
/// Every operation has a deadline (``timeout``): while the database is down or unreachable, callers get
/// ``StoreError/unavailable(_:)`` (503 `store_unavailable`) within it instead of waiting, and for a second after such
/// a failure at once; the pool reconnects by itself once the database is back, so no replica needs a restart.
public final class PostgresTenantStore: TenantStore {
    public let keyring: MasterKeyring
    public let now: @Sendable () -> Date
    public let url: PostgresURL
    public var location: String { url.description }
    /// How long one operation may take, connection wait included.
    public let timeout: Duration
    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>
    /// Set for a second when the database was found unreachable (a circuit breaker).
    private let failedUntil = NIOLockedValueBox<ContinuousClock.Instant?>(nil)

    /// Connects (lazily: the first operation opens the first connection), then applies pending migrations unless
    /// `migrate` is false, in which case a database behind this release's schema is refused.
    public static func open(_ url: PostgresURL, keyring: MasterKeyring, now: @escaping @Sendable () -> Date = Date.init,
                            migrate: Bool = true, timeout: Duration = .seconds(5),
                            logger: Logger = Logger(label: "csanmt.postgres")) async throws -> PostgresTenantStore {
        let store = PostgresTenantStore(url: url, keyring: keyring, now: now, timeout: timeout, logger: logger)
        do {
            if migrate {
                _ = try await store.migrate()
            } else {
                let applied = try await store.appliedMigrations()
                if let missing = PostgresMigrations.all.map(\.version).first(where: { !applied.contains($0) }) {
                    throw StoreError.invalid("the tenant database lacks migration \(missing); run `csanmt db migrate --db \(url)`")
                }
            }
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    init(url: PostgresURL, keyring: MasterKeyring, now: @escaping @Sendable () -> Date, timeout: Duration, logger: Logger) {
        self.url = url
        self.keyring = keyring
        self.now = now
        self.timeout = timeout
        self.logger = logger
        var tls: PostgresClient.Configuration.TLS = .disable
        var tlsConfig = TLSConfiguration.makeClientConfiguration()
        switch url.tls {
        case .disable: break
        case .prefer:
            tlsConfig.certificateVerification = .none   // libpq's `prefer`: encrypt when offered, verify nothing
            tls = .prefer(tlsConfig)
        case .require: tls = .require(tlsConfig)
        }
        var config = PostgresClient.Configuration(host: url.host, port: url.port, username: url.user, password: url.password,
                                                  database: url.database, tls: tls)
        config.options.maximumConnections = url.poolSize
        config.options.connectTimeout = .seconds(3)
        // Timestamps leave the server in UTC; tests give each run its own schema.
        // The server gives up on a statement or a lock before our deadline does, so a request told "unavailable"
        // was not committed behind its back.
        let serverLimit = max(1_000, Int(timeout.components.seconds * 1_000) - 1_000)
        config.options.additionalStartupParameters = [("TimeZone", "UTC"), ("statement_timeout", String(serverLimit)),
                                                      ("lock_timeout", String(serverLimit))]
            + (url.searchPath.map { [("search_path", $0)] } ?? [])
        let client = PostgresClient(configuration: config, backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
    }

    deinit { runner.cancel() }

    public func close() async {
        runner.cancel()
        _ = await runner.value
    }

    /// The newest schema version this release knows.
    public static var schemaVersion: Int { PostgresMigrations.latest }

    /// Applies the pending migrations of the database at `url` and disconnects (`csanmt db migrate`).
    public static func migrate(_ url: PostgresURL, logger: Logger = Logger(label: "csanmt.postgres")) async throws -> [Int] {
        try await withTemporary(url, timeout: .seconds(30), logger: logger) { try await $0.migrate() }
    }

    /// Writes one audit event into the central trail of the database at `url` (the command line's changes).
    public static func appendAudit(_ event: AuditEvent, replica: String, url: PostgresURL) async throws {
        try await withTemporary(url, timeout: .seconds(10)) { store in
            try await CentralAuditTrail.insert([CentralAuditTrail.Row(event, replica: replica)], into: store)
        }
    }

    /// `body` on a store opened for it alone and closed after, whatever happens: for work that touches no secret
    /// (migrations, audit rows, test schemas), so its keyring is a throwaway one.
    static func withTemporary<T: Sendable>(_ url: PostgresURL, timeout: Duration, logger: Logger = Logger(label: "csanmt.postgres"),
                                           _ body: (PostgresTenantStore) async throws -> T) async throws -> T {
        let store = PostgresTenantStore(url: url, keyring: try MasterKeyring(base64Keys: [MasterKeyring.newKeyText()]), now: Date.init,
                                        timeout: timeout, logger: logger)
        do {
            let result = try await body(store)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }

    /// Applies pending migrations (under the advisory lock); returns the versions applied.
    @discardableResult
    public func migrate() async throws -> [Int] {
        // Its own deadline: replicas starting together wait for each other's migrations on the lock.
        try await withConnection(timeout: max(timeout, .seconds(60))) { c in try await PostgresMigrations.migrate(c, logger: self.logger) }
    }

    /// The migration versions recorded in the database.
    public func appliedMigrations() async throws -> Set<Int> {
        try await withConnection { c in try await PostgresMigrations.appliedVersions(c, logger: self.logger) }
    }

    // MARK: Running operations

    /// `body` on a pooled connection, within ``timeout``; database failures become ``StoreError``s.
    func withConnection<T: Sendable>(timeout: Duration? = nil,
                                     _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        if let until = failedUntil.withLockedValue({ $0 }), ContinuousClock.now < until {
            throw StoreError.unavailable("the tenant database failed moments ago; retry shortly")
        }
        let client = self.client
        do {
            return try await Deadline.run(timeout ?? self.timeout) { try await client.withConnection { try await body($0) } }
        } catch {
            // Unreachable: the next second's callers are answered at once instead of each waiting for the deadline.
            // A busy database (a statement or lock timeout, too many connections) answers 503 without tripping it.
            if Self.isConnectionFailure(error) { failedUntil.withLockedValue { $0 = ContinuousClock.now + .seconds(1) } }
            throw Self.storeError(error)
        }
    }

    /// `body` in one transaction (rolled back if it throws), within ``timeout``.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let logger = self.logger
        return try await withConnection { c in try await c.withTransaction(logger: logger) { try await body($0) } }
    }

    // MARK: Tenants

    public func createTenant(_ tenant: Tenant) async throws -> Tenant {
        try StoreRules.validate(tenant)
        let signing = try sealed(StoreRules.newSigningKey(tenant.id, at: tenant.createdAt))
        return try await transaction { [logger] c in
            // A concurrent create of the same id fails on the primary key (23505 → conflict).
            guard try await c.record(Tenant.self, key: tenant.id, logger: logger) == nil else {
                throw StoreError.conflict("tenant '\(tenant.id)' already exists")
            }
            try await c.insert(tenant, logger: logger)
            try await c.insert(signing, logger: logger)
            return tenant
        }
    }

    public func tenant(_ id: String) async throws -> Tenant? {
        try await withConnection { [logger] c in try await c.record(Tenant.self, key: id, logger: logger) }
    }

    public func tenants() async throws -> [Tenant] {
        try await withConnection { [logger] c in
            try await c.records(Tenant.self, "SELECT row_to_json(t)::text FROM tenants t ORDER BY id COLLATE \"C\"", logger: logger)
        }
    }

    public func updateTenantReturningPrevious(_ id: String, _ changes: TenantChanges) async throws -> (before: Tenant, after: Tenant) {
        let t = now()
        let pair = try await transaction { [logger] c -> Pair<Tenant> in
            guard let before = try await c.record(Tenant.self, key: id, forUpdate: true, logger: logger) else {
                throw StoreError.notFound("no tenant '\(id)'")
            }
            let after = try changes.applied(to: before, now: t)
            try await c.update(after, logger: logger)
            return Pair(before: before, after: after)
        }
        return (pair.before, pair.after)
    }

    // MARK: API keys

    public func insertKey(_ key: APIKey) async throws {
        try await transaction { [logger] c in
            guard let tenant = try await c.record(Tenant.self, key: key.tenantId, logger: logger) else {
                throw StoreError.notFound("no tenant '\(key.tenantId)'")
            }
            try StoreRules.checkKeyScopes(key, of: tenant)
            try await c.insert(key, logger: logger)
        }
    }

    public func keys(tenantID: String?) async throws -> [APIKey] {
        try await withConnection { [logger] c in
            if let tenantID {
                return try await c.records(APIKey.self, "SELECT row_to_json(t)::text FROM api_keys t WHERE tenant_id = \(tenantID) ORDER BY created_at, id COLLATE \"C\"",
                                           logger: logger)
            }
            return try await c.records(APIKey.self, "SELECT row_to_json(t)::text FROM api_keys t ORDER BY created_at, id COLLATE \"C\"", logger: logger)
        }
    }

    public func key(_ id: String) async throws -> APIKey? {
        try await withConnection { [logger] c in try await c.record(APIKey.self, key: id, logger: logger) }
    }

    public func revokeKey(_ id: String) async throws -> APIKey {
        let t = now()
        return try await transaction { [logger] c in
            guard var k = try await c.record(APIKey.self, key: id, forUpdate: true, logger: logger) else {
                throw StoreError.notFound("no key '\(id)'")
            }
            if k.revokedAt == nil {
                k.revokedAt = t
                try await c.update(k, logger: logger)
            }
            return k
        }
    }

    public func setKeyLimits(_ id: String, _ limits: KeyLimits) async throws -> (before: APIKey, after: APIKey) {
        try limits.validate()
        let pair = try await transaction { [logger] c -> Pair<APIKey> in
            guard let before = try await c.record(APIKey.self, key: id, forUpdate: true, logger: logger) else {
                throw StoreError.notFound("no key '\(id)'")
            }
            var after = before
            after.limits = limits
            try await c.update(after, logger: logger)
            return Pair(before: before, after: after)
        }
        return (pair.before, pair.after)
    }

    public func authenticate(tenantID: String, plaintext: String) async throws -> APIKey? {
        let digest = APIKeyCodec.hash(plaintext), t = now()
        return try await withConnection { [logger] c in
            let keys = try await c.records(APIKey.self, "SELECT row_to_json(t)::text FROM api_keys t WHERE tenant_id = \(tenantID)", logger: logger)
            guard var k = StoreRules.constantTimeMatch(keys, digest: digest) else { return nil }
            k.lastUsedAt = t
            try await c.query("UPDATE api_keys SET last_used_at = \(t) WHERE id = \(k.id)", logger: logger)
            return k
        }
    }

    public func authenticate(plaintext: String) async throws -> APIKey? {
        let digest = APIKeyCodec.hash(plaintext), t = now()
        return try await withConnection { [logger] c in
            guard var k = try await c.record(APIKey.self, "SELECT row_to_json(t)::text FROM api_keys t WHERE hash = \(digest)", logger: logger)
            else { return nil }
            if StoreRules.shouldRecordUse(k.lastUsedAt, now: t) {
                k.lastUsedAt = t
                try await c.query("UPDATE api_keys SET last_used_at = \(t) WHERE id = \(k.id)", logger: logger)
            }
            return k
        }
    }

    // MARK: Signing keys

    public func currentSigningKey(tenantID: String) async throws -> SigningKey {
        let key = try await withConnection { [logger] c in
            try await c.record(SigningKey.self, """
                SELECT row_to_json(t)::text FROM signing_keys t WHERE tenant_id = \(tenantID) AND retired_at IS NULL
                ORDER BY created_at DESC, kid COLLATE \"C\" DESC LIMIT 1
                """, logger: logger)
        }
        guard let key else { throw StoreError.notFound("tenant '\(tenantID)' has no signing key") }
        return try opened(key)
    }

    public func rotateSigningKey(tenantID: String, immediate: Bool, grace: TimeInterval) async throws -> SigningKey {
        let t = now()
        let key = StoreRules.newSigningKey(tenantID, at: t)
        let sealedKey = try sealed(key)
        try await transaction { [logger] c in
            guard try await c.record(Tenant.self, key: tenantID, forUpdate: true, logger: logger) != nil else {
                throw StoreError.notFound("no tenant '\(tenantID)'")
            }
            if immediate {
                try await c.query("DELETE FROM signing_keys WHERE tenant_id = \(tenantID)", logger: logger)
            } else {
                try await c.query("UPDATE signing_keys SET retired_at = \(t) WHERE tenant_id = \(tenantID) AND retired_at IS NULL", logger: logger)
            }
            try await c.insert(sealedKey, logger: logger)
            try await c.query("DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at < \(t.addingTimeInterval(-grace))",
                              logger: logger)
        }
        return key
    }

    public func purgeRetiredSigningKeys(grace: TimeInterval) async throws -> Int {
        let cutoff = now().addingTimeInterval(-grace)
        return try await withConnection { [logger] c in
            try await c.scalar(Int.self, """
                WITH gone AS (DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at < \(cutoff) RETURNING 1)
                SELECT count(*)::bigint FROM gone
                """, logger: logger) ?? 0
        }
    }

    public func authRecords(keyID: String, tenantID: String) async throws -> AuthRecords {
        // One statement, so both rows come from the same snapshot.
        let pair = try await withConnection { [logger] c -> [String?] in
            var row: [String?] = [nil, nil]
            for try await (k, t) in try await c.query("""
                SELECT (SELECT row_to_json(k)::text FROM api_keys k WHERE k.id = \(keyID)),
                       (SELECT row_to_json(t)::text FROM tenants t WHERE t.id = \(tenantID))
                """, logger: logger).decode((String?, String?).self) { row = [k, t] }
            return row
        }
        return AuthRecords(apiKey: try pair[0].map { try PostgresJSON.decoder.decode(APIKey.self, from: Data($0.utf8)) },
                           tenant: try pair[1].map { try PostgresJSON.decoder.decode(Tenant.self, from: Data($0.utf8)) })
    }

    public func signingKey(kid: String) async throws -> SigningKey? {
        try await withConnection { [logger] c in try await c.record(SigningKey.self, key: kid, logger: logger) }.map(opened)
    }

}

/// A record before and after a change (Sendable across the transaction boundary, unlike a tuple of generics).
struct Pair<R: Sendable>: Sendable {
    let before: R
    let after: R
}
