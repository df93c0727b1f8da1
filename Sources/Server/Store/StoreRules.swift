import Foundation

/// The rules every store enforces, and the records it creates: one definition for SQLite and PostgreSQL.
public enum StoreRules {
    /// Words of the API's paths: a tenant with one of these ids would make `/api/v1/{tenant_id}/translate`
    /// ambiguous with a route of the same shape.
    public static let reservedIDs: Set<String> = ["admin", "auth", "usage", "whoami", "status", "languages", "translate",
                                                  "health", "ready", "operator", "operators", "openapi", "metrics", "api"]

    /// The largest daily quota: Lua (the Redis scripts) counts in doubles, exact below 2^53, so counts and limits
    /// stay far below it and no arithmetic on them can overflow.
    public static let maxQuota = 1_000_000_000_000_000

    /// Operator keys start with this, so they are told apart from tenant keys (`csk_`) at a glance.
    public static let operatorKeyPrefix = "cso_"

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

    static func validateOperatorID(_ id: String) throws {
        guard isIdentifier(id) else { throw StoreError.invalid("operator id '\(id)' must match [a-z0-9_]{3,64}") }
    }

    /// 1-200 characters, none of them a control character (NUL among them, which PostgreSQL's text refuses).
    static func isName(_ name: String) -> Bool {
        !name.trimmingCharacters(in: .whitespaces).isEmpty && name.count <= 200
            && !name.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    static func validate(_ t: Tenant) throws {
        try validateTenantID(t.id)
        guard isName(t.name) else {
            throw StoreError.invalid("tenant name must be 1-200 characters, without control characters")
        }
        for (label, v) in [("daily requests", t.dailyRequests), ("daily characters", t.dailyCharacters)] {
            if let v, !(0...maxQuota).contains(v) { throw StoreError.invalid("\(label) quota must be 0 to \(maxQuota)") }
        }
        for c in t.allowedIPs where CIDR(c) == nil { throw StoreError.invalid("'\(c)' is not an IPv4/IPv6 address or CIDR") }
        try t.limits.validate()
    }

    /// A key's scopes must be among its tenant's.
    static func checkKeyScopes(_ key: APIKey, of tenant: Tenant) throws {
        if let scopes = key.scopes, let extra = scopes.first(where: { !tenant.scopes.contains($0) }) {
            throw StoreError.invalid("a key's scopes must be among its tenant's (\(tenant.scopes.map(\.rawValue).joined(separator: ", "))); '\(extra.rawValue)' is not")
        }
    }

    /// A new key of `tenantID` and its plaintext (shown once, never stored).
    static func newKey(tenantID: String, expiresInDays: Int?, limits: KeyLimits, scopes: [Scope]?, now t: Date) throws -> (APIKey, String) {
        if let d = expiresInDays, !(1...3650).contains(d) { throw StoreError.invalid("expiry must be 1 to 3650 days") }
        try limits.validate()
        let plaintext = APIKeyCodec.newKey()
        let key = APIKey(id: "key_" + APIKeyCodec.randomBase62(12), tenantId: tenantID,
                         prefix: String(plaintext.prefix(APIKeyCodec.keyPrefix.count + 6)), hash: APIKeyCodec.hash(plaintext),
                         createdAt: t, lastUsedAt: nil, expiresAt: expiresInDays.map { t.addingTimeInterval(Double($0) * 86_400) },
                         revokedAt: nil, limits: limits, scopes: scopes?.sorted())
        return (key, plaintext)
    }

    /// A new tenant signing key (secret in plaintext: the store seals it).
    static func newSigningKey(_ tenantID: String, at t: Date) -> SigningKey {
        SigningKey(kid: "sk_" + APIKeyCodec.randomBase62(16), tenantId: tenantID, secret: APIKeyCodec.newSecret(),
                   createdAt: t, retiredAt: nil)
    }

    /// A new operator, its plaintext key and its signing key.
    static func newOperator(id: String, name: String, now t: Date) throws -> (Operator, String, OperatorSigningKey) {
        try validateOperatorID(id)
        guard isName(name) else {
            throw StoreError.invalid("operator name must be 1-200 characters, without control characters")
        }
        let plaintext = operatorKeyPrefix + APIKeyCodec.randomBase62(40)
        let op = Operator(id: id, name: name, prefix: String(plaintext.prefix(operatorKeyPrefix.count + 6)),
                          hash: APIKeyCodec.hash(plaintext), createdAt: t, lastUsedAt: nil, disabledAt: nil)
        return (op, plaintext, newOperatorSigningKey(id, at: t))
    }

    static func newOperatorSigningKey(_ id: String, at t: Date) -> OperatorSigningKey {
        OperatorSigningKey(kid: "ok_" + APIKeyCodec.randomBase62(16), operatorId: id, secret: APIKeyCodec.newSecret(), createdAt: t)
    }

    /// The key among `candidates` whose hash is `digest`, comparing every one (no early exit).
    static func constantTimeMatch(_ candidates: [APIKey], digest: String) -> APIKey? {
        var match: APIKey?
        for k in candidates where APIKeyCodec.constantTimeEquals(k.hash, digest) { match = k }
        return match
    }

    /// Whether a key's `last_used_at` is worth writing again (at most once a minute per key).
    static func shouldRecordUse(_ last: Date?, now: Date) -> Bool { last.map { now.timeIntervalSince($0) >= 60 } ?? true }
}
