import Foundation
import Logging
import PostgresNIO

/// Operators in PostgreSQL: the global administrators, with their own keys and signing secrets.
extension PostgresTenantStore {
    public func insertOperator(_ op: Operator, signingKey: OperatorSigningKey) async throws {
        let sealedKey = try sealed(signingKey)
        try await transaction { [logger] c in
            guard try await c.record(Operator.self, key: op.id, logger: logger) == nil else {
                throw StoreError.conflict("operator '\(op.id)' already exists")
            }
            try await c.insert(op, logger: logger)
            try await c.insert(sealedKey, logger: logger)
        }
    }

    public func operators() async throws -> [Operator] {
        try await withConnection { [logger] c in
            try await c.records(Operator.self, "SELECT row_to_json(t)::text FROM operators t ORDER BY id COLLATE \"C\"", logger: logger)
        }
    }

    public func `operator`(_ id: String) async throws -> Operator? {
        try await withConnection { [logger] c in try await c.record(Operator.self, key: id, logger: logger) }
    }

    public func setOperatorDisabled(_ id: String, _ disabled: Bool) async throws -> (before: Operator, after: Operator) {
        let t = now()
        let pair = try await transaction { [logger] c -> Pair<Operator> in
            guard let before = try await c.record(Operator.self, key: id, forUpdate: true, logger: logger) else {
                throw StoreError.notFound("no operator '\(id)'")
            }
            var after = before
            after.disabledAt = disabled ? (before.disabledAt ?? t) : nil
            try await c.update(after, logger: logger)
            return Pair(before: before, after: after)
        }
        return (pair.before, pair.after)
    }

    public func replaceOperatorKey(_ id: String, prefix: String, hash: String, signingKey: OperatorSigningKey) async throws -> Operator {
        let sealedKey = try sealed(signingKey)
        return try await transaction { [logger] c in
            guard var op = try await c.record(Operator.self, key: id, forUpdate: true, logger: logger) else {
                throw StoreError.notFound("no operator '\(id)'")
            }
            op.prefix = prefix
            op.hash = hash
            try await c.update(op, logger: logger)
            try await c.query("DELETE FROM operator_signing_keys WHERE operator_id = \(id)", logger: logger)
            try await c.insert(sealedKey, logger: logger)
            return op
        }
    }

    public func authenticateOperator(id: String, plaintext: String) async throws -> Operator? {
        let digest = APIKeyCodec.hash(plaintext), t = now()
        return try await withConnection { [logger] c in
            guard var op = try await c.record(Operator.self, key: id, logger: logger) else {
                _ = APIKeyCodec.constantTimeEquals(digest, digest)   // same work as a wrong key
                return nil
            }
            guard APIKeyCodec.constantTimeEquals(op.hash, digest) else { return nil }
            op.lastUsedAt = t
            try await c.query("UPDATE operators SET last_used_at = \(t) WHERE id = \(id)", logger: logger)
            return op
        }
    }

    public func operatorSigningKey(operatorID: String) async throws -> OperatorSigningKey {
        let key = try await withConnection { [logger] c in
            try await c.record(OperatorSigningKey.self, """
                SELECT row_to_json(t)::text FROM operator_signing_keys t WHERE operator_id = \(operatorID) ORDER BY created_at DESC, kid COLLATE \"C\" DESC LIMIT 1
                """, logger: logger)
        }
        guard let key else { throw StoreError.notFound("operator '\(operatorID)' has no signing key") }
        return try opened(key)
    }

    public func operatorSigningKey(kid: String) async throws -> OperatorSigningKey? {
        try await withConnection { [logger] c in try await c.record(OperatorSigningKey.self, key: kid, logger: logger) }.map(opened)
    }
}
