import Foundation
import GRDB

/// Tenants, API keys and signing keys in SQLite (WAL mode, migrated on open), through GRDB.
///
/// Every lookup goes to the database, so a revoked key or a disabled tenant takes effect on the next request,
/// on every replica sharing the database.
///
/// Signing secrets are stored encrypted with ``MasterKeyring``; every read and write of one goes through
/// ``sealed(_:)`` and ``opened(_:)``.
public final class TenantStore: Sendable {
    let db: DatabasePool
    let now: @Sendable () -> Date
    public let path: String
    /// Encrypts the signing secrets at rest.
    public let keyring: MasterKeyring

    /// Opens (creating if needed) the database at `path`, applies pending migrations and encrypts any secret
    /// still in plaintext. `keyring` nil: ``MasterKeyring/load(environment:file:databasePath:)`` with no file
    /// (`$CSANMT_MASTER_KEY`, else the key file beside the database).
    public init(path: String, keyring: MasterKeyring? = nil, now: @escaping @Sendable () -> Date = Date.init) throws {
        self.path = path
        self.now = now
        self.keyring = try keyring ?? MasterKeyring.load(file: nil, databasePath: path)
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var config = Configuration()
        config.busyMode = .timeout(5)
        // Revocations, disables and rotations must survive a power loss: sync the WAL on every commit (writes here
        // are rare; WAL's default NORMAL may lose the last ones).
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        // The database (and its -wal/-shm files, which SQLite creates with the main file's mode) holds signing
        // secrets: create it owner-only before SQLite touches it.
        if !FileManager.default.fileExists(atPath: path) {
            let fd = open(path, O_CREAT | O_WRONLY, 0o600)
            if fd >= 0 { close(fd) }
        }
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) { chmod(file, 0o600) }
        do {
            db = try DatabasePool(path: path, configuration: config)   // WAL journal
            try Self.migrator.migrate(db)
        } catch {
            throw StoreError.invalid("cannot open tenant database \(path): \(error)")
        }
        try sealPlaintextSecrets()
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) { chmod(file, 0o600) }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: tenants, api keys, signing keys") { db in
            try db.create(table: Tenant.databaseTableName) { t in
                t.primaryKey("id", .text)
                t.column("name", .text).notNull()
                t.column("enabled", .boolean).notNull()
                t.column("scopes", .text).notNull()
                t.column("daily_requests", .integer)
                t.column("daily_characters", .integer)
                t.column("allowed_ips", .text).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("updated_at", .datetime).notNull()
            }
            try db.create(table: APIKey.databaseTableName) { t in
                t.primaryKey("id", .text)
                t.column("tenant_id", .text).notNull().indexed().references(Tenant.databaseTableName, onDelete: .cascade)
                t.column("prefix", .text).notNull()
                t.column("hash", .text).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("last_used_at", .datetime)
                t.column("expires_at", .datetime)
                t.column("revoked_at", .datetime)
            }
            try db.create(table: SigningKey.databaseTableName) { t in
                t.primaryKey("kid", .text)
                t.column("tenant_id", .text).notNull().indexed().references(Tenant.databaseTableName, onDelete: .cascade)
                t.column("secret", .blob).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("retired_at", .datetime)
            }
        }
        m.registerMigration("v2: tenant weight and limits, key rate limits") { db in
            try db.alter(table: Tenant.databaseTableName) { t in t.add(column: "limits", .text).notNull().defaults(to: "{}") }
            try db.alter(table: APIKey.databaseTableName) { t in t.add(column: "limits", .text).notNull().defaults(to: "{}") }
        }
        m.registerMigration("v3: key scopes") { db in
            try db.alter(table: APIKey.databaseTableName) { t in t.add(column: "scopes", .text) }
        }
        m.registerMigration("v4: operators; the global admin scope becomes tenant:admin") { db in
            try db.create(table: Operator.databaseTableName) { t in
                t.primaryKey("id", .text)
                t.column("name", .text).notNull()
                t.column("prefix", .text).notNull()
                t.column("hash", .text).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("last_used_at", .datetime)
                t.column("disabled_at", .datetime)
            }
            try db.create(table: OperatorSigningKey.databaseTableName) { t in
                t.primaryKey("kid", .text)
                t.column("operator_id", .text).notNull().indexed().references(Operator.databaseTableName, onDelete: .cascade)
                t.column("secret", .blob).notNull()
                t.column("created_at", .datetime).notNull()
            }
            // `admin` let any key of its tenant manage every tenant. It now means managing one's own tenant only;
            // global administration needs an operator (`csanmt operator create`).
            for table in [Tenant.databaseTableName, APIKey.databaseTableName] {
                try db.execute(sql: "UPDATE \(table) SET scopes = REPLACE(scopes, '\"admin\"', '\"tenant:admin\"') WHERE scopes LIKE '%\"admin\"%'")
            }
        }
        m.registerMigration("v5: keys found by their hash (the drop-in APIs send the key alone)") { db in
            try db.create(index: "api_keys_on_hash", on: APIKey.databaseTableName, columns: ["hash"])
        }
        return m
    }

    // MARK: Tenants

    /// What an operator sets on a tenant; nil fields are left unchanged by ``updateTenant(_:_:)``.
    public struct TenantChanges: Sendable, Equatable {
        public var name: String?
        public var enabled: Bool?
        public var scopes: [Scope]?
        /// `.some(nil)` clears the quota (unlimited).
        public var dailyRequests: Int??
        public var dailyCharacters: Int??
        public var allowedIPs: [String]?
        public var limits: TenantLimitChanges?
        public init(name: String? = nil, enabled: Bool? = nil, scopes: [Scope]? = nil, dailyRequests: Int?? = nil,
                    dailyCharacters: Int?? = nil, allowedIPs: [String]? = nil, limits: TenantLimitChanges? = nil) {
            self.limits = limits
            self.name = name
            self.enabled = enabled
            self.scopes = scopes
            self.dailyRequests = dailyRequests
            self.dailyCharacters = dailyCharacters
            self.allowedIPs = allowedIPs
        }
    }

    /// Words of the API's paths: a tenant with one of these ids would make `/api/v1/{tenant_id}/translate`
    /// ambiguous with a route of the same shape.
    public static let reservedIDs: Set<String> = ["admin", "auth", "usage", "whoami", "status", "languages", "translate",
                                                  "health", "ready", "operator", "operators", "openapi", "metrics", "api"]

    /// The largest daily quota: Lua (the Redis scripts) counts in doubles, exact below 2^53, so counts and limits
    /// stay far below it and no arithmetic on them can overflow.
    public static let maxQuota = 1_000_000_000_000_000

    /// `[a-z0-9_]{3,64}`, the shape of tenant and operator ids.
    static func isIdentifier(_ id: String) -> Bool {
        (3...64).contains(id.utf8.count) && id.utf8.allSatisfy { (0x61...0x7a).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5f }
    }

    static func validateTenantID(_ id: String) throws {
        guard isIdentifier(id) else { throw StoreError.invalid("tenant id '\(id)' must match [a-z0-9_]{3,64}") }
        guard !reservedIDs.contains(id) else {
            throw StoreError.invalid("tenant id '\(id)' is reserved (a word of the API's paths); choose another")
        }
    }

    static func validate(_ t: Tenant) throws {
        try validateTenantID(t.id)
        guard !t.name.trimmingCharacters(in: .whitespaces).isEmpty, t.name.count <= 200 else {
            throw StoreError.invalid("tenant name must be 1-200 characters")
        }
        for (label, v) in [("daily requests", t.dailyRequests), ("daily characters", t.dailyCharacters)] {
            if let v, !(0...maxQuota).contains(v) { throw StoreError.invalid("\(label) quota must be 0 to \(maxQuota)") }
        }
        for c in t.allowedIPs where CIDR(c) == nil { throw StoreError.invalid("'\(c)' is not an IPv4/IPv6 address or CIDR") }
        try t.limits.validate()
    }

    /// Creates a tenant and its first signing key. Throws `conflict` if the id exists.
    @discardableResult
    public func createTenant(id: String, name: String, scopes: [Scope] = [.translateBasic, .translateBatch, .usageRead],
                             dailyRequests: Int? = nil, dailyCharacters: Int? = nil, allowedIPs: [String] = [],
                             enabled: Bool = true, limits: TenantLimits = TenantLimits()) throws -> Tenant {
        let t = now()
        let tenant = Tenant(id: id, name: name, enabled: enabled, scopes: scopes.sorted(), dailyRequests: dailyRequests,
                            dailyCharacters: dailyCharacters, allowedIPs: allowedIPs, limits: limits, createdAt: t, updatedAt: t)
        try Self.validate(tenant)
        return try db.write { db in
            guard try Tenant.fetchOne(db, key: id) == nil else { throw StoreError.conflict("tenant '\(id)' already exists") }
            try tenant.insert(db)
            try sealed(SigningKey(kid: "sk_" + APIKeyCodec.randomBase62(16), tenantId: id, secret: APIKeyCodec.newSecret(),
                                  createdAt: t, retiredAt: nil)).insert(db)
            return tenant
        }
    }

    public func tenant(_ id: String) throws -> Tenant? { try db.read { try Tenant.fetchOne($0, key: id) } }

    public func tenants() throws -> [Tenant] { try db.read { try Tenant.order(Column("id")).fetchAll($0) } }

    /// Applies `changes`; throws `notFound` or `invalid`.
    @discardableResult
    public func updateTenant(_ id: String, _ changes: TenantChanges) throws -> Tenant {
        try updateTenantReturningPrevious(id, changes).after
    }

    /// ``updateTenant(_:_:)``, also returning the record as it was, read in the same transaction (audit diffs).
    public func updateTenantReturningPrevious(_ id: String, _ changes: TenantChanges) throws -> (before: Tenant, after: Tenant) {
        try db.write { db in
            guard var t = try Tenant.fetchOne(db, key: id) else { throw StoreError.notFound("no tenant '\(id)'") }
            let before = t
            if let v = changes.name { t.name = v }
            if let v = changes.enabled { t.enabled = v }
            if let v = changes.scopes { t.scopes = v.sorted() }
            if let v = changes.dailyRequests { t.dailyRequests = v }
            if let v = changes.dailyCharacters { t.dailyCharacters = v }
            if let v = changes.allowedIPs { t.allowedIPs = v }
            if let v = changes.limits { t.limits = v.applied(to: t.limits) }
            t.updatedAt = now()
            try Self.validate(t)
            try t.update(db)
            return (before, t)
        }
    }

    // MARK: API keys

    /// Creates a key for `tenantID`; returns the record and the plaintext, which is never stored.
    /// `scopes` must be a subset of the tenant's (nil: the tenant's, whatever they become).
    public func createKey(tenantID: String, expiresInDays: Int? = nil, limits: KeyLimits = KeyLimits(),
                          scopes: [Scope]? = nil) throws -> (APIKey, String) {
        if let d = expiresInDays, !(1...3650).contains(d) { throw StoreError.invalid("expiry must be 1 to 3650 days") }
        try limits.validate()
        let plaintext = APIKeyCodec.newKey(), t = now()
        let key = APIKey(id: "key_" + APIKeyCodec.randomBase62(12), tenantId: tenantID,
                         prefix: String(plaintext.prefix(APIKeyCodec.keyPrefix.count + 6)), hash: APIKeyCodec.hash(plaintext),
                         createdAt: t, lastUsedAt: nil, expiresAt: expiresInDays.map { t.addingTimeInterval(Double($0) * 86_400) },
                         revokedAt: nil, limits: limits, scopes: scopes?.sorted())
        try db.write { db in
            guard let tenant = try Tenant.fetchOne(db, key: tenantID) else { throw StoreError.notFound("no tenant '\(tenantID)'") }
            if let scopes, let extra = scopes.first(where: { !tenant.scopes.contains($0) }) {
                throw StoreError.invalid("a key's scopes must be among its tenant's (\(tenant.scopes.map(\.rawValue).joined(separator: ", "))); '\(extra.rawValue)' is not")
            }
            try key.insert(db)
        }
        return (key, plaintext)
    }

    public func keys(tenantID: String? = nil) throws -> [APIKey] {
        try db.read { db in
            var q = APIKey.order(Column("created_at"))
            if let tenantID { q = q.filter(Column("tenant_id") == tenantID) }
            return try q.fetchAll(db)
        }
    }

    public func key(_ id: String) throws -> APIKey? { try db.read { try APIKey.fetchOne($0, key: id) } }

    /// Revokes a key (idempotent); effective on the next request.
    @discardableResult
    public func revokeKey(_ id: String) throws -> APIKey {
        try db.write { db in
            guard var k = try APIKey.fetchOne(db, key: id) else { throw StoreError.notFound("no key '\(id)'") }
            if k.revokedAt == nil { k.revokedAt = now(); try k.update(db) }
            return k
        }
    }

    /// Replaces a key's own rate limits; returns the key before and after.
    @discardableResult
    public func setKeyLimits(_ id: String, _ limits: KeyLimits) throws -> (before: APIKey, after: APIKey) {
        try limits.validate()
        return try db.write { db in
            guard var k = try APIKey.fetchOne(db, key: id) else { throw StoreError.notFound("no key '\(id)'") }
            let before = k
            k.limits = limits
            try k.update(db)
            return (before, k)
        }
    }

    /// The active key of `tenantID` whose hash matches `plaintext`, compared in constant time against every key
    /// of the tenant; records its use. Nil when none matches.
    public func authenticate(tenantID: String, plaintext: String) throws -> APIKey? {
        let digest = APIKeyCodec.hash(plaintext), t = now()
        return try db.write { db in
            var match: APIKey?
            for k in try APIKey.filter(Column("tenant_id") == tenantID).fetchAll(db) {
                if APIKeyCodec.constantTimeEquals(k.hash, digest) { match = k }   // no early exit
            }
            guard var k = match else { return nil }
            k.lastUsedAt = t
            try k.update(db)
            return k
        }
    }

    /// The key whose hash matches `plaintext`, whatever its tenant (the drop-in APIs send a key without a tenant
    /// id). Found through the hash index: the plaintext is 238 random bits, so the lookup's timing tells an
    /// attacker nothing usable. Records its use at most once a minute, so a key used on every request does not
    /// write on every request. Nil when none matches.
    public func authenticate(plaintext: String) throws -> APIKey? {
        let digest = APIKeyCodec.hash(plaintext), t = now()
        guard var key = try db.read({ try APIKey.filter(Column("hash") == digest).fetchOne($0) }) else { return nil }
        if key.lastUsedAt.map({ t.timeIntervalSince($0) >= 60 }) ?? true {
            key.lastUsedAt = t
            try db.write { db in try db.execute(sql: "UPDATE api_keys SET last_used_at = ? WHERE id = ?", arguments: [t, key.id]) }
        }
        return key
    }

    // MARK: Signing keys

    /// The tenant's current (unretired) signing key.
    public func currentSigningKey(tenantID: String) throws -> SigningKey {
        let key = try db.read { db in
            try SigningKey.filter(Column("tenant_id") == tenantID && Column("retired_at") == nil)
                .order(Column("created_at").desc).fetchOne(db)
        }
        guard let key else { throw StoreError.notFound("tenant '\(tenantID)' has no signing key") }
        return try opened(key)
    }

    /// Starts a new signing key. The previous ones are retired now and keep verifying during the grace period;
    /// `immediate` (an emergency: a leaked secret) deletes them instead, so their tokens fail at once. Secrets
    /// retired longer than `grace` ago are purged.
    @discardableResult
    public func rotateSigningKey(tenantID: String, immediate: Bool = false, grace: TimeInterval = 86_400) throws -> SigningKey {
        let t = now()
        let key = SigningKey(kid: "sk_" + APIKeyCodec.randomBase62(16), tenantId: tenantID, secret: APIKeyCodec.newSecret(),
                             createdAt: t, retiredAt: nil)
        try db.write { db in
            guard try Tenant.fetchOne(db, key: tenantID) != nil else { throw StoreError.notFound("no tenant '\(tenantID)'") }
            if immediate {
                try db.execute(sql: "DELETE FROM signing_keys WHERE tenant_id = ?", arguments: [tenantID])
            } else {
                try db.execute(sql: "UPDATE signing_keys SET retired_at = ? WHERE tenant_id = ? AND retired_at IS NULL",
                               arguments: [t, tenantID])
            }
            try sealed(key).insert(db)
            try Self.purgeRetired(db, before: t.addingTimeInterval(-grace))
        }
        return key
    }

    /// Deletes signing secrets retired longer than `grace` ago (no token they signed verifies any more); returns
    /// how many. The server runs it at start-up; rotations run it too.
    @discardableResult
    public func purgeRetiredSigningKeys(grace: TimeInterval) throws -> Int {
        let cutoff = now().addingTimeInterval(-grace)
        return try db.write { db in try Self.purgeRetired(db, before: cutoff) }
    }

    @discardableResult
    static func purgeRetired(_ db: Database, before cutoff: Date) throws -> Int {
        try db.execute(sql: "DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at < ?", arguments: [cutoff])
        return db.changesCount
    }

    /// Everything request authentication needs after the signature, read in one transaction.
    public struct AuthRecords: Sendable {
        public let apiKey: APIKey?
        public let tenant: Tenant?
    }

    public func authRecords(keyID: String, tenantID: String) throws -> AuthRecords {
        try db.read { db in
            AuthRecords(apiKey: try APIKey.fetchOne(db, key: keyID), tenant: try Tenant.fetchOne(db, key: tenantID))
        }
    }

    /// The signing key `kid` with its secret decrypted.
    public func signingKey(kid: String) throws -> SigningKey? {
        try db.read { try SigningKey.fetchOne($0, key: kid) }.map(opened)
    }
}

extension TenantStore.TenantChanges {
    /// Whether only the fields a tenant admin may change on its own tenant are set: its name and IP allow-list
    /// (quotas, limits, scopes and `enabled` are an operator's).
    public var onlyTenantAdminFields: Bool {
        enabled == nil && scopes == nil && dailyRequests == nil && dailyCharacters == nil && limits == nil
    }
}
