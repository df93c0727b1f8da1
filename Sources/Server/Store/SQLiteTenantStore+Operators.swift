import Foundation
import GRDB

/// Operators in SQLite: the global administrators, with their own keys and signing secrets (never a tenant's).
extension SQLiteTenantStore {
    public func insertOperator(_ op: Operator, signingKey: OperatorSigningKey) throws {
        try db.write { db in
            guard try Operator.fetchOne(db, key: op.id) == nil else { throw StoreError.conflict("operator '\(op.id)' already exists") }
            try op.insert(db)
            try sealed(signingKey).insert(db)
        }
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

    public func replaceOperatorKey(_ id: String, prefix: String, hash: String, signingKey: OperatorSigningKey) throws -> Operator {
        try db.write { db in
            guard var op = try Operator.fetchOne(db, key: id) else { throw StoreError.notFound("no operator '\(id)'") }
            op.prefix = prefix
            op.hash = hash
            try op.update(db)
            try db.execute(sql: "DELETE FROM operator_signing_keys WHERE operator_id = ?", arguments: [id])
            try sealed(signingKey).insert(db)
            return op
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
