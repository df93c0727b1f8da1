import GRDB

/// The SQLite schema, as versioned migrations (GRDB records which ran in `grdb_migrations`). PostgreSQL's are in
/// ``PostgresMigrations``: add a migration to both.
extension SQLiteTenantStore {
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
}
