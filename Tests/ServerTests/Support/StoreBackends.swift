import Foundation
import GRDB
import Logging
import PostgresNIO
import Testing
@testable import Server

/// The tenant stores the store tests run against: SQLite always, PostgreSQL when `CSANMT_TEST_POSTGRES_URL` names
/// a server (`.ci/run` starts one; e.g. `postgres://csanmt@127.0.0.1:55432/csanmt` with `CSANMT_DB_PASSWORD`).
enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["CSANMT_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// SQLite, and PostgreSQL when configured.
    static var available: [StoreBackend] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    /// A new, empty, migrated store of this kind on `clock`. PostgreSQL gets a schema of its own (dropped by
    /// ``StoreFixture/dispose()``), so tests run in parallel on one server.
    func make(clock: TestClock = TestClock(), keyring: MasterKeyring? = nil) async throws -> StoreFixture {
        let keyring = try keyring ?? MasterKeyring(base64Keys: [MasterKeyring.newKeyText()])
        switch self {
        case .sqlite:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csanmt-store-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let store = try SQLiteTenantStore(path: dir.appendingPathComponent("tenants.sqlite").path, keyring: keyring, now: { clock.now })
            return StoreFixture(store: store, clock: clock, dispose: { try? FileManager.default.removeItem(at: dir) })
        case .postgres:
            let schema = try await Self.newSchema()
            var url = try PostgresURL(Self.postgresURL!)
            url.searchPath = schema
            let store = try await PostgresTenantStore.open(url, keyring: keyring, now: { clock.now })
            return StoreFixture(store: store, clock: clock, schema: schema, dispose: {
                await store.close()
                try? await Self.admin { c, logger in try await c.query("DROP SCHEMA \(unescaped: schema) CASCADE", logger: logger) }
            })
        }
    }

    /// `CREATE SCHEMA csanmt_test_…`; returns its name.
    static func newSchema() async throws -> String {
        let schema = "csanmt_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try await admin { c, logger in try await c.query("CREATE SCHEMA \(unescaped: schema)", logger: logger) }
        return schema
    }

    /// Runs `body` on a connection to the test server's default schema.
    static func admin<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T) async throws -> T {
        try await PostgresTenantStore.withTemporary(try PostgresURL(postgresURL!), timeout: .seconds(30), logger: Logger(label: "test")) { store in
            try await store.withConnection { try await body($0, store.logger) }
        }
    }
}

/// A store made for one test, and how to get rid of it.
struct StoreFixture: Sendable {
    let store: any TenantStore
    let clock: TestClock
    var schema: String?
    let dispose: @Sendable () async -> Void

    /// Raw rows of a table column, as stored (to see that secrets are sealed).
    func storedSecrets() async throws -> [Data] {
        if let sqlite = store as? SQLiteTenantStore {
            return try await sqlite.db.read { try Data.fetchAll($0, sql: "SELECT secret FROM signing_keys") }
        }
        let pg = store as! PostgresTenantStore
        return try await pg.withConnection { c in
            var out: [Data] = []
            for try await d in try await c.query("SELECT secret FROM signing_keys", logger: pg.logger).decode(Data.self) { out.append(d) }
            return out
        }
    }
}
