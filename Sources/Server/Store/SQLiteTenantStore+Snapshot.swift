import GRDB

/// Whole-store export and import (`csanmt db copy`), secrets sealed as stored.
extension SQLiteTenantStore {
    public func exportAll() throws -> StoreSnapshot {
        try db.read { db in
            var s = StoreSnapshot()
            s.tenants = try Tenant.order(Column("id")).fetchAll(db)
            s.keys = try APIKey.order(Column("created_at"), Column("id")).fetchAll(db)
            s.signingKeys = try SigningKey.order(Column("created_at"), Column("kid")).fetchAll(db)
            s.operators = try Operator.order(Column("id")).fetchAll(db)
            s.operatorSigningKeys = try OperatorSigningKey.order(Column("created_at"), Column("kid")).fetchAll(db)
            return s
        }
    }

    public func importAll(_ s: StoreSnapshot) throws {
        try db.write { db in
            guard try Tenant.fetchCount(db) == 0, try Operator.fetchCount(db) == 0 else {
                throw StoreError.conflict("\(path) already holds tenants or operators; copy into an empty store")
            }
            for r in s.tenants { try r.insert(db) }
            for r in s.keys { try r.insert(db) }
            for r in s.signingKeys { try r.insert(db) }
            for r in s.operators { try r.insert(db) }
            for r in s.operatorSigningKeys { try r.insert(db) }
        }
    }

    public func close() {}
}
