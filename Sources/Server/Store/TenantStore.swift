import Foundation

/// Tenants, API keys, signing keys and operators: what every replica must agree on.
///
/// Two implementations: ``SQLiteTenantStore`` (one file, the embedded default) and ``PostgresTenantStore`` (a
/// database shared by the replicas of a cluster). ``TenantStores/open(_:keyring:now:)`` picks one from `--db`.
///
/// Every lookup goes to the database, so a revoked key or a disabled tenant takes effect on the next request, on
/// every replica sharing it. Signing secrets are stored sealed with ``keyring`` (``MasterKeyring``).
///
/// The rules (ids, quotas, scopes, what a key may hold) live in ``StoreRules`` and the records are built by the
/// same helpers for both stores, so the two differ only in how they read and write rows. Failures are
/// ``StoreError``s; a store that cannot be reached throws ``StoreError/unavailable(_:)``.
public protocol TenantStore: Sendable {
    /// Encrypts the signing secrets at rest.
    var keyring: MasterKeyring { get }
    /// The store as logs may show it: a file path, or a URL without its password.
    var location: String { get }
    /// The clock of `created_at`, `revoked_at` and the like (tests move it).
    var now: @Sendable () -> Date { get }

    // MARK: Tenants
    /// Creates a tenant and its first signing key. Throws `conflict` if the id exists.
    func createTenant(_ tenant: Tenant) async throws -> Tenant
    func tenant(_ id: String) async throws -> Tenant?
    /// Every tenant, by id.
    func tenants() async throws -> [Tenant]
    /// Applies `changes`, returning the record before and after (read in the same transaction, for audit diffs).
    func updateTenantReturningPrevious(_ id: String, _ changes: TenantChanges) async throws -> (before: Tenant, after: Tenant)

    // MARK: API keys
    /// Stores a new key (built by ``StoreRules/newKey(tenantID:expiresInDays:limits:scopes:now:)``), after checking that
    /// its scopes are among its tenant's.
    func insertKey(_ key: APIKey) async throws
    /// Keys by creation time, of one tenant or all.
    func keys(tenantID: String?) async throws -> [APIKey]
    func key(_ id: String) async throws -> APIKey?
    /// Revokes a key (idempotent); effective on the next request.
    func revokeKey(_ id: String) async throws -> APIKey
    /// Replaces a key's own rate limits; returns the key before and after.
    func setKeyLimits(_ id: String, _ limits: KeyLimits) async throws -> (before: APIKey, after: APIKey)
    /// The key of `tenantID` whose hash matches `plaintext`, compared in constant time against every key of the
    /// tenant; records its use. Nil when none matches.
    func authenticate(tenantID: String, plaintext: String) async throws -> APIKey?
    /// The key whose hash matches `plaintext`, whatever its tenant (the drop-in APIs send a key alone). Found
    /// through the hash index: the plaintext is 238 random bits, so the lookup's timing tells an attacker nothing
    /// usable. Records its use at most once a minute. Nil when none matches.
    func authenticate(plaintext: String) async throws -> APIKey?

    // MARK: Signing keys
    /// The tenant's current (unretired) signing key, secret opened.
    func currentSigningKey(tenantID: String) async throws -> SigningKey
    /// Starts a new signing key. The previous ones are retired now and keep verifying during `grace`;
    /// `immediate` (a leaked secret) deletes them instead. Secrets retired longer than `grace` ago are purged.
    func rotateSigningKey(tenantID: String, immediate: Bool, grace: TimeInterval) async throws -> SigningKey
    /// Deletes signing secrets retired longer than `grace` ago; returns how many.
    func purgeRetiredSigningKeys(grace: TimeInterval) async throws -> Int
    /// Everything request authentication needs after the signature, read in one transaction.
    func authRecords(keyID: String, tenantID: String) async throws -> AuthRecords
    /// The signing key `kid`, secret opened.
    func signingKey(kid: String) async throws -> SigningKey?

    // MARK: Operators
    /// Stores a new operator with its signing key (both from ``StoreRules/newOperator(id:name:now:)``).
    func insertOperator(_ op: Operator, signingKey: OperatorSigningKey) async throws
    func operators() async throws -> [Operator]
    func `operator`(_ id: String) async throws -> Operator?
    /// Disables (or re-enables) an operator; its tokens stop working on the next request.
    func setOperatorDisabled(_ id: String, _ disabled: Bool) async throws -> (before: Operator, after: Operator)
    /// Replaces an operator's key hash and signing secret (every token it holds stops working).
    func replaceOperatorKey(_ id: String, prefix: String, hash: String, signingKey: OperatorSigningKey) async throws -> Operator
    /// The enabled-or-not operator `id` whose key hash matches `plaintext` (constant time); records its use.
    func authenticateOperator(id: String, plaintext: String) async throws -> Operator?
    /// The operator's current signing key, secret opened.
    func operatorSigningKey(operatorID: String) async throws -> OperatorSigningKey
    func operatorSigningKey(kid: String) async throws -> OperatorSigningKey?

    // MARK: Secrets at rest
    /// Re-encrypts every signing secret with the keyring's first key, in one transaction; returns how many.
    func reencryptSecrets() async throws -> Int
    /// The master key ids that encrypt the stored secrets, with how many each.
    func secretKeyIDs() async throws -> [String: Int]

    // MARK: Moving data
    /// Every row, secrets still sealed (`csanmt db copy`, backups).
    func exportAll() async throws -> StoreSnapshot
    /// Writes `snapshot` into an empty store in one transaction; throws `conflict` if the store holds tenants or
    /// operators already.
    func importAll(_ snapshot: StoreSnapshot) async throws

    /// Releases connections (PostgreSQL); a no-op for SQLite.
    func close() async
}

/// The whole content of a store, secrets sealed as stored.
public struct StoreSnapshot: Sendable, Equatable {
    public var tenants: [Tenant] = []
    public var keys: [APIKey] = []
    public var signingKeys: [SigningKey] = []
    public var operators: [Operator] = []
    public var operatorSigningKeys: [OperatorSigningKey] = []
    public init() {}
    /// Every date to the microsecond, what PostgreSQL keeps (SQLite keeps milliseconds): for comparing a copy.
    public var atMicroseconds: StoreSnapshot {
        func µs(_ d: Date) -> Date { Date(timeIntervalSince1970: Double(Int64((d.timeIntervalSince1970 * 1e6).rounded())) / 1e6) }
        var s = self
        s.tenants = tenants.map { var r = $0; r.createdAt = µs(r.createdAt); r.updatedAt = µs(r.updatedAt); return r }
        s.keys = keys.map {
            var r = $0
            r.createdAt = µs(r.createdAt); r.lastUsedAt = r.lastUsedAt.map(µs); r.expiresAt = r.expiresAt.map(µs); r.revokedAt = r.revokedAt.map(µs)
            return r
        }
        s.signingKeys = signingKeys.map { var r = $0; r.createdAt = µs(r.createdAt); r.retiredAt = r.retiredAt.map(µs); return r }
        s.operators = operators.map {
            var r = $0
            r.createdAt = µs(r.createdAt); r.lastUsedAt = r.lastUsedAt.map(µs); r.disabledAt = r.disabledAt.map(µs)
            return r
        }
        s.operatorSigningKeys = operatorSigningKeys.map { var r = $0; r.createdAt = µs(r.createdAt); return r }
        return s
    }

    /// "3 tenants, 5 keys, …" for progress lines.
    public var summary: String {
        "\(tenants.count) tenant(s), \(keys.count) key(s), \(signingKeys.count) signing key(s), \(operators.count) operator(s), \(operatorSigningKeys.count) operator signing key(s)"
    }
}

/// What an operator sets on a tenant; nil fields are left unchanged.
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

    /// Whether only the fields a tenant admin may change on its own tenant are set: its name and IP allow-list
    /// (quotas, limits, scopes and `enabled` are an operator's).
    public var onlyTenantAdminFields: Bool {
        enabled == nil && scopes == nil && dailyRequests == nil && dailyCharacters == nil && limits == nil
    }

    /// `tenant` with these changes, validated, stamped `now`.
    func applied(to tenant: Tenant, now: Date) throws -> Tenant {
        var t = tenant
        if let v = name { t.name = v }
        if let v = enabled { t.enabled = v }
        if let v = scopes { t.scopes = v.sorted() }
        if let v = dailyRequests { t.dailyRequests = v }
        if let v = dailyCharacters { t.dailyCharacters = v }
        if let v = allowedIPs { t.allowedIPs = v }
        if let v = limits { t.limits = v.applied(to: t.limits) }
        t.updatedAt = now
        try StoreRules.validate(t)
        return t
    }
}

/// Everything request authentication needs after the signature.
public struct AuthRecords: Sendable {
    public let apiKey: APIKey?
    public let tenant: Tenant?
}

// MARK: The operations both stores offer, built on the requirements

extension TenantStore {
    /// Creates a tenant and its first signing key; throws `conflict` if the id exists, `invalid` if a field is.
    @discardableResult
    public func createTenant(id: String, name: String, scopes: [Scope] = [.translateBasic, .translateBatch, .usageRead],
                             dailyRequests: Int? = nil, dailyCharacters: Int? = nil, allowedIPs: [String] = [],
                             enabled: Bool = true, limits: TenantLimits = TenantLimits()) async throws -> Tenant {
        let now = self.now()
        let tenant = Tenant(id: id, name: name, enabled: enabled, scopes: scopes.sorted(), dailyRequests: dailyRequests,
                            dailyCharacters: dailyCharacters, allowedIPs: allowedIPs, limits: limits, createdAt: now, updatedAt: now)
        try StoreRules.validate(tenant)
        return try await createTenant(tenant)
    }

    /// Applies `changes`; throws `notFound` or `invalid`.
    @discardableResult
    public func updateTenant(_ id: String, _ changes: TenantChanges) async throws -> Tenant {
        try await updateTenantReturningPrevious(id, changes).after
    }

    /// Creates a key for `tenantID`; returns the record and the plaintext, which is never stored.
    /// `scopes` must be a subset of the tenant's (nil: the tenant's, whatever they become).
    public func createKey(tenantID: String, expiresInDays: Int? = nil, limits: KeyLimits = KeyLimits(),
                          scopes: [Scope]? = nil) async throws -> (APIKey, String) {
        let (key, plaintext) = try StoreRules.newKey(tenantID: tenantID, expiresInDays: expiresInDays, limits: limits,
                                                     scopes: scopes, now: now())
        try await insertKey(key)
        return (key, plaintext)
    }

    public func keys() async throws -> [APIKey] { try await keys(tenantID: nil) }

    @discardableResult
    public func rotateSigningKey(tenantID: String, immediate: Bool = false) async throws -> SigningKey {
        try await rotateSigningKey(tenantID: tenantID, immediate: immediate, grace: 86_400)
    }

    /// Creates an operator with a new key and signing secret; returns the record and the plaintext key (shown once).
    public func createOperator(id: String, name: String) async throws -> (Operator, String) {
        let (op, plaintext, signing) = try StoreRules.newOperator(id: id, name: name, now: now())
        try await insertOperator(op, signingKey: signing)
        return (op, plaintext)
    }

    /// Replaces an operator's key and signing secret: the old key and every token issued with it stop working.
    public func resetOperatorKey(_ id: String) async throws -> (Operator, String) {
        let plaintext = StoreRules.operatorKeyPrefix + APIKeyCodec.randomBase62(40)
        let op = try await replaceOperatorKey(id, prefix: String(plaintext.prefix(StoreRules.operatorKeyPrefix.count + 6)),
                                              hash: APIKeyCodec.hash(plaintext),
                                              signingKey: StoreRules.newOperatorSigningKey(id, at: now()))
        return (op, plaintext)
    }

    /// Copies every row of `source` into this (empty) store, secrets sealed as they are, and reads it back;
    /// returns what was copied. Every secret must open with this store's master key, checked before anything is
    /// written (`secrets` error otherwise).
    public func copy(from source: any TenantStore) async throws -> StoreSnapshot {
        let snapshot = try await source.exportAll()
        for key in snapshot.signingKeys { _ = try opened(key) }
        for key in snapshot.operatorSigningKeys { _ = try opened(key) }
        try await importAll(snapshot)
        guard try await exportAll().atMicroseconds == snapshot.atMicroseconds else {
            throw StoreError.invalid("the copy in \(location) reads back different from \(source.location)")
        }
        return snapshot
    }
}
