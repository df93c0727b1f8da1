import Foundation
import GRDB

/// Operators: the global administrators, with their own keys and signing secrets (never a tenant's).
extension TenantStore {
    /// Operator keys start with this, so they are told apart from tenant keys (`csk_`) at a glance.
    public static let operatorKeyPrefix = "cso_"

    static func validateOperatorID(_ id: String) throws {
        guard isIdentifier(id) else { throw StoreError.invalid("operator id '\(id)' must match [a-z0-9_]{3,64}") }
    }

    /// Creates an operator with a new key and signing secret; returns the record and the plaintext key (shown once).
    public func createOperator(id: String, name: String) throws -> (Operator, String) {
        try Self.validateOperatorID(id)
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 200 else {
            throw StoreError.invalid("operator name must be 1-200 characters")
        }
        let plaintext = Self.operatorKeyPrefix + APIKeyCodec.randomBase62(40), t = now()
        let op = Operator(id: id, name: name, prefix: String(plaintext.prefix(Self.operatorKeyPrefix.count + 6)),
                          hash: APIKeyCodec.hash(plaintext), createdAt: t, lastUsedAt: nil, disabledAt: nil)
        try db.write { db in
            guard try Operator.fetchOne(db, key: id) == nil else { throw StoreError.conflict("operator '\(id)' already exists") }
            try op.insert(db)
            try sealed(Self.newOperatorSigningKey(id, at: t)).insert(db)
        }
        return (op, plaintext)
    }

    static func newOperatorSigningKey(_ id: String, at t: Date) -> OperatorSigningKey {
        OperatorSigningKey(kid: "ok_" + APIKeyCodec.randomBase62(16), operatorId: id, secret: APIKeyCodec.newSecret(), createdAt: t)
    }

    public func operators() throws -> [Operator] { try db.read { try Operator.order(Column("id")).fetchAll($0) } }

    public func `operator`(_ id: String) throws -> Operator? { try db.read { try Operator.fetchOne($0, key: id) } }

    /// Disables (or re-enables) an operator; a disabled operator's tokens stop working on the next request.
    @discardableResult
    public func setOperatorDisabled(_ id: String, _ disabled: Bool) throws -> (before: Operator, after: Operator) {
        try db.write { db in
            guard var op = try Operator.fetchOne(db, key: id) else { throw StoreError.notFound("no operator '\(id)'") }
            let before = op
            op.disabledAt = disabled ? (op.disabledAt ?? now()) : nil
            try op.update(db)
            return (before, op)
        }
    }

    /// Replaces an operator's key and signing secret: the old key and every token issued with it stop working.
    public func resetOperatorKey(_ id: String) throws -> (Operator, String) {
        let plaintext = Self.operatorKeyPrefix + APIKeyCodec.randomBase62(40), t = now()
        return try db.write { db in
            guard var op = try Operator.fetchOne(db, key: id) else { throw StoreError.notFound("no operator '\(id)'") }
            op.prefix = String(plaintext.prefix(Self.operatorKeyPrefix.count + 6))
            op.hash = APIKeyCodec.hash(plaintext)
            try op.update(db)
            try db.execute(sql: "DELETE FROM operator_signing_keys WHERE operator_id = ?", arguments: [id])
            try sealed(Self.newOperatorSigningKey(id, at: t)).insert(db)
            return (op, plaintext)
        }
    }

    /// The enabled operator `id` whose key hash matches `plaintext` (compared in constant time); records its use.
    public func authenticateOperator(id: String, plaintext: String) throws -> Operator? {
        let digest = APIKeyCodec.hash(plaintext), t = now()
        return try db.write { db in
            guard var op = try Operator.fetchOne(db, key: id) else {
                _ = APIKeyCodec.constantTimeEquals(digest, digest)   // same work as a wrong key
                return nil
            }
            guard APIKeyCodec.constantTimeEquals(op.hash, digest) else { return nil }
            op.lastUsedAt = t
            try op.update(db)
            return op
        }
    }

    /// The operator's current signing key, secret opened.
    public func operatorSigningKey(operatorID: String) throws -> OperatorSigningKey {
        let key = try db.read { db in
            try OperatorSigningKey.filter(Column("operator_id") == operatorID).order(Column("created_at").desc).fetchOne(db)
        }
        guard let key else { throw StoreError.notFound("operator '\(operatorID)' has no signing key") }
        return try opened(key)
    }

    /// The operator signing key `kid`, secret opened.
    public func operatorSigningKey(kid: String) throws -> OperatorSigningKey? {
        try db.read { try OperatorSigningKey.fetchOne($0, key: kid) }.map(opened)
    }
}
