import Logging
import PostgresNIO

/// The PostgreSQL schema, as numbered migrations recorded in `csanmt_migrations`. SQLite's are in
/// ``SQLiteTenantStore/migrator``: a change to the records needs a migration in both.
///
/// Replicas that start together all migrate: each takes a transaction-scoped advisory lock first, so one applies
/// what is pending and the others find it done. A database migrated by a newer release (a version this binary
/// does not know) is refused, so an old replica never writes rows it does not understand.
enum PostgresMigrations {
    /// First half of the `pg_advisory_xact_lock` key ("csnt" in ASCII); the second is the schema's hash, so the
    /// replicas of one deployment wait for each other and deployments in other schemas do not.
    static let lockKey: Int32 = 0x6373_6E74
    static let all: [(version: Int, name: String, sql: [String])] = [
        (1, "tenants, api keys, signing keys, operators", [
            """
            CREATE TABLE tenants (id text PRIMARY KEY, name text NOT NULL, enabled boolean NOT NULL, scopes jsonb NOT NULL,
              daily_requests bigint, daily_characters bigint, allowed_ips jsonb NOT NULL, limits jsonb NOT NULL DEFAULT '{}',
              created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)
            """,
            """
            CREATE TABLE api_keys (id text PRIMARY KEY, tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
              prefix text NOT NULL, hash text NOT NULL, limits jsonb NOT NULL DEFAULT '{}', scopes jsonb,
              created_at timestamptz NOT NULL, last_used_at timestamptz, expires_at timestamptz, revoked_at timestamptz)
            """,
            "CREATE INDEX api_keys_on_tenant ON api_keys (tenant_id)",
            "CREATE INDEX api_keys_on_hash ON api_keys (hash)",
            """
            CREATE TABLE signing_keys (kid text PRIMARY KEY, tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
              secret bytea NOT NULL, created_at timestamptz NOT NULL, retired_at timestamptz)
            """,
            "CREATE INDEX signing_keys_on_tenant ON signing_keys (tenant_id)",
            """
            CREATE TABLE operators (id text PRIMARY KEY, name text NOT NULL, prefix text NOT NULL, hash text NOT NULL,
              created_at timestamptz NOT NULL, last_used_at timestamptz, disabled_at timestamptz)
            """,
            """
            CREATE TABLE operator_signing_keys (kid text PRIMARY KEY,
              operator_id text NOT NULL REFERENCES operators(id) ON DELETE CASCADE, secret bytea NOT NULL, created_at timestamptz NOT NULL)
            """,
        ]),
        (2, "central audit trail", [
            // `line_id` is made when the event is queued, so a batch replayed after an outage is written once.
            """
            CREATE TABLE audit_events (seq bigserial PRIMARY KEY, line_id uuid NOT NULL UNIQUE, time timestamptz NOT NULL,
              replica text NOT NULL, tenant_id text, target_tenant text, event jsonb NOT NULL)
            """,
            "CREATE INDEX audit_events_on_time ON audit_events (time)",
            "CREATE INDEX audit_events_on_tenant ON audit_events (tenant_id, time)",
            "CREATE INDEX audit_events_on_target_tenant ON audit_events (target_tenant, time)",
        ]),
    ]

    static var latest: Int { all.map(\.version).max() ?? 0 }

    /// Applies the pending migrations in one transaction under the advisory lock; returns the versions applied.
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        try await connection.withTransaction(logger: logger) { c in
            // Waiting for another replica's migrations may take longer than a request's statement limit.
            try await c.query("SET LOCAL lock_timeout = '60s'", logger: logger)
            try await c.query("SET LOCAL statement_timeout = '120s'", logger: logger)
            try await c.query("SELECT pg_advisory_xact_lock(\(lockKey), hashtext(current_schema()))", logger: logger)
            try await c.query("""
                CREATE TABLE IF NOT EXISTS csanmt_migrations (version integer PRIMARY KEY, name text NOT NULL,
                  applied_at timestamptz NOT NULL DEFAULT now())
                """, logger: logger)
            let applied = try await appliedVersions(c, logger: logger)
            if let newest = applied.max(), newest > latest {
                throw StoreError.invalid("the tenant database is at schema version \(newest), newer than this release knows (\(latest)); upgrade csanmt")
            }
            var done: [Int] = []
            for m in all where !applied.contains(m.version) {
                for statement in m.sql { try await c.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await c.query("INSERT INTO csanmt_migrations (version, name) VALUES (\(m.version), \(m.name))", logger: logger)
                done.append(m.version)
            }
            return done
        }
    }

    /// The versions recorded (empty for a database never migrated).
    static func appliedVersions(_ c: PostgresConnection, logger: Logger) async throws -> Set<Int> {
        let exists = try await c.scalar(Bool.self, "SELECT to_regclass('csanmt_migrations') IS NOT NULL", logger: logger) ?? false
        guard exists else { return [] }
        var out = Set<Int>()
        for try await v in try await c.query("SELECT version FROM csanmt_migrations", logger: logger).decode(Int.self) { out.insert(v) }
        return out
    }
}
