import Foundation
import GRDB

/// The embedded ``TenantStore``: one SQLite file (WAL mode, migrated on open), through GRDB. For one host; a
/// cluster shares a ``PostgresTenantStore``.
///
/// Its methods are synchronous (SQLite answers from the same process); they satisfy the protocol's async ones.
public final class SQLiteTenantStore: TenantStore {
    let db: DatabasePool
    public let now: @Sendable () -> Date
    public let path: String
    public var location: String { path }
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
            if fd >= 0 { Glibc.close(fd) }
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

    // MARK: Tenants

    public func createTenant(_ tenant: Tenant) throws -> Tenant {
        try StoreRules.validate(tenant)
        return try db.write { db in
            guard try Tenant.fetchOne(db, key: tenant.id) == nil else { throw StoreError.conflict("tenant '\(tenant.id)' already exists") }
            try tenant.insert(db)
            try sealed(StoreRules.newSigningKey(tenant.id, at: tenant.createdAt)).insert(db)
            return tenant
        }
    }

    public func tenant(_ id: String) throws -> Tenant? { try db.read { try Tenant.fetchOne($0, key: id) } }

    public func tenants() throws -> [Tenant] { try db.read { try Tenant.order(Column("id")).fetchAll($0) } }

    /// ``updateTenant(_:_:)``, also returning the record as it was, read in the same transaction (audit diffs).
    public func updateTenantReturningPrevious(_ id: String, _ changes: TenantChanges) throws -> (before: Tenant, after: Tenant) {
        try db.write { db in
            guard let before = try Tenant.fetchOne(db, key: id) else { throw StoreError.notFound("no tenant '\(id)'") }
            let after = try changes.applied(to: before, now: now())
            try after.update(db)
            return (before, after)
        }
    }

    // MARK: API keys

    public func insertKey(_ key: APIKey) throws {
        try db.write { db in
            guard let tenant = try Tenant.fetchOne(db, key: key.tenantId) else { throw StoreError.notFound("no tenant '\(key.tenantId)'") }
            try StoreRules.checkKeyScopes(key, of: tenant)
            try key.insert(db)
        }
    }

    public func keys(tenantID: String?) throws -> [APIKey] {
        try db.read { db in
            var q = APIKey.order(Column("created_at"), Column("id"))
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
            guard var k = StoreRules.constantTimeMatch(try APIKey.filter(Column("tenant_id") == tenantID).fetchAll(db), digest: digest)
            else { return nil }
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
        if StoreRules.shouldRecordUse(key.lastUsedAt, now: t) {
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
    public func rotateSigningKey(tenantID: String, immediate: Bool, grace: TimeInterval) throws -> SigningKey {
        let t = now()
        let key = StoreRules.newSigningKey(tenantID, at: t)
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
