import Foundation
import Logging
import PostgresNIO

/// Whole-store export and import (`csanmt db copy`), secrets sealed as stored.
extension PostgresTenantStore {
    public func exportAll() async throws -> StoreSnapshot {
        try await transaction { [logger] c in
            // One snapshot for every table, as SQLite's read gives.
            try await c.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
            var s = StoreSnapshot()
            s.tenants = try await c.records(Tenant.self, "SELECT row_to_json(t)::text FROM tenants t ORDER BY id COLLATE \"C\"", logger: logger)
            s.keys = try await c.records(APIKey.self, "SELECT row_to_json(t)::text FROM api_keys t ORDER BY created_at, id COLLATE \"C\"", logger: logger)
            s.signingKeys = try await c.records(SigningKey.self, "SELECT row_to_json(t)::text FROM signing_keys t ORDER BY created_at, kid COLLATE \"C\"",
                                                logger: logger)
            s.operators = try await c.records(Operator.self, "SELECT row_to_json(t)::text FROM operators t ORDER BY id COLLATE \"C\"", logger: logger)
            s.operatorSigningKeys = try await c.records(OperatorSigningKey.self,
                                                        "SELECT row_to_json(t)::text FROM operator_signing_keys t ORDER BY created_at, kid COLLATE \"C\"",
                                                        logger: logger)
            return s
        }
    }

    public func importAll(_ s: StoreSnapshot) async throws {
        let location = self.location
        try await transaction { [logger] c in
            let existing = try await c.scalar(Int.self, "SELECT (SELECT count(*) FROM tenants) + (SELECT count(*) FROM operators)",
                                              logger: logger) ?? 0
            guard existing == 0 else { throw StoreError.conflict("\(location) already holds tenants or operators; copy into an empty store") }
            for r in s.tenants { try await c.insert(r, logger: logger) }
            for r in s.keys { try await c.insert(r, logger: logger) }
            for r in s.signingKeys { try await c.insert(r, logger: logger) }
            for r in s.operators { try await c.insert(r, logger: logger) }
            for r in s.operatorSigningKeys { try await c.insert(r, logger: logger) }
        }
    }
}
