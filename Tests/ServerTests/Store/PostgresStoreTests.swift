import Foundation
import Testing
@testable import Server

/// What only the PostgreSQL store has: migrations shared by replicas, the deadline on a database that is down, and
/// the text forms its rows travel in.
@Suite("PostgreSQL store")
struct PostgresStoreTests {
    @Test("timestamps and bytes survive the JSON that rows travel in")
    func rowCodec() throws {
        for text in ["2026-12-06T12:46:55Z", "2026-12-06T12:46:55.5Z", "1969-07-20T20:17:40.000001Z", "2000-02-29T00:00:00.123456Z"] {
            let date = try #require(TimestampText.parse(text))
            #expect(TimestampText.parse(TimestampText.format(date)) == date, "\(text)")
        }
        #expect(TimestampText.parse("2026-12-06T14:46:55.25+02:00") == TimestampText.parse("2026-12-06T12:46:55.25Z"))
        #expect(TimestampText.format(Date(timeIntervalSince1970: 1_800_000_000.25)) == "2027-01-15T08:00:00.250000Z")
        for bad in ["", "2026-13-01T00:00:00Z", "2026-12-06 12:46:55Z", "2026-12-06T12:46:55.Z", "2026-12-06T12:46:55Zjunk"] {
            #expect(TimestampText.parse(bad) == nil, "\(bad)")
        }
        #expect(PostgresJSON.hexBytes("\\x00ff10") == Data([0, 255, 16]))
        #expect(PostgresJSON.hexBytes("\\x0") == nil && PostgresJSON.hexBytes("00ff") == nil && PostgresJSON.hexBytes("\\xzz") == nil)
    }

    @Test("URLs: the password from the environment or a file, never echoed; bad URLs named")
    func urls() throws {
        let u = try PostgresURL("postgres://csanmt@db.internal:6543/tenants?sslmode=require&pool=4", environment: ["CSANMT_DB_PASSWORD": "s3cret"])
        #expect(u.host == "db.internal" && u.port == 6543 && u.user == "csanmt" && u.database == "tenants" && u.tls == .require && u.poolSize == 4)
        #expect(u.password == "s3cret" && !u.description.contains("s3cret"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pw-\(UUID().uuidString)").path
        try "from-file\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try PostgresURL("postgres://u@h/d", environment: ["CSANMT_DB_PASSWORD_FILE": file]).password == "from-file")
        #expect(try PostgresURL("postgres://u@h/d", environment: ["PGPASSWORD": "pg"]).password == "pg")
        #expect(PostgresURL.hasPassword("postgres://u:p@h/d") && !PostgresURL.hasPassword("postgres://u@h/d"))
        for bad in ["postgres://h/d", "postgres://u@h/", "postgres://u@h/d?sslmode=maybe", "postgres://u@h/d?color=red", "mysql://u@h/d"] {
            #expect(throws: StoreError.self, "\(bad)") { try PostgresURL(bad, environment: [:]) }
        }
        #expect(throws: StoreError.self) { try PostgresURL("postgres://u@h/d", environment: ["CSANMT_DB_PASSWORD_FILE": "/nonexistent/pw"]) }
    }

    @Test("the deadline answers the caller even when the operation ignores cancellation", .timeLimit(.minutes(3)))
    func deadline() async throws {
        #expect(try await Deadline.run(.seconds(600)) { 42 } == 42)
        await #expect(throws: StoreError.conflict("x")) { _ = try await Deadline.run(.seconds(600)) { () async throws -> Int in throw StoreError.conflict("x") } }
        // An operation deaf to cancellation: it returns 1 after 300 s whatever happens. The deadline's error, not
        // that 1, must come back. (No bound on the time beyond the test's limit: other suites' synchronous work
        // holds the shared threads for tens of seconds at times, which delays any timer, ours included.)
        await #expect { _ = try await Deadline.run(.milliseconds(200)) { () async -> Int in
            await withCheckedContinuation { c in DispatchQueue.global().asyncAfter(deadline: .now() + 300) { c.resume(returning: 1) } }
        } } throws: { error in
            if case StoreError.unavailable = error { return true } else { return false }
        }
    }

    @Test("a database that does not answer gives store_unavailable within the deadline, not a hang", .timeLimit(.minutes(3)))
    func unreachable() async throws {
        // Port 1 on loopback: nothing listens, every connection is refused.
        let url = try PostgresURL("postgres://csanmt@127.0.0.1:1/csanmt?sslmode=disable", environment: [:])
        let store = PostgresTenantStore(url: url, keyring: try MasterKeyring(base64Keys: [MasterKeyring.newKeyText()]), now: Date.init,
                                        timeout: .seconds(2), logger: .init(label: "test"))
        await #expect { _ = try await store.tenant("org_a") } throws: { error in
            guard case StoreError.unavailable = error else { return false }
            return true
        }
        // No bound on the time here beyond the test's limit: the deadline's timer runs on the shared pool, which
        // other suites' synchronous work can hold for many seconds (42 s once in CI); a hang would never end.
        #expect(RequestAuditMiddleware.apiError(for: StoreError.unavailable("down")).status == .serviceUnavailable)
        #expect(RequestAuditMiddleware.apiError(for: StoreError.unavailable("down")).code == "store_unavailable")
        await store.close()
    }

    @Test("replicas starting together migrate once; a schema newer than the release is refused",
          .enabled(if: StoreBackend.postgresURL != nil, "CSANMT_TEST_POSTGRES_URL is not set"))
    func migrations() async throws {
        let schema = try await StoreBackend.newSchema()
        var schemaURL = try PostgresURL(StoreBackend.postgresURL!)
        schemaURL.searchPath = schema
        let url = schemaURL
        let keyring = try MasterKeyring(base64Keys: [MasterKeyring.newKeyText()])
        let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<6 {
                group.addTask {
                    let store = PostgresTenantStore(url: url, keyring: keyring, now: Date.init, timeout: .seconds(30), logger: .init(label: "test"))
                    let done = try await store.migrate()
                    await store.close()
                    return done
                }
            }
            return try await group.reduce(into: [[Int]]()) { $0.append($1) }
        }
        #expect(applied.filter { !$0.isEmpty } == [PostgresMigrations.all.map(\.version)], "exactly one replica applied them: \(applied)")
        let store = try await PostgresTenantStore.open(url, keyring: keyring, migrate: false)
        #expect(try await store.appliedMigrations() == Set(PostgresMigrations.all.map(\.version)))
        try await store.withConnection { c in
            try await c.query("INSERT INTO csanmt_migrations (version, name) VALUES (\(PostgresMigrations.latest + 1), 'from the future')",
                              logger: store.logger)
        }
        await #expect { try await PostgresTenantStore.open(url, keyring: keyring) } throws: { "\($0)".contains("newer than this release") }
        await store.close()
        try await StoreBackend.admin { c, logger in try await c.query("DROP SCHEMA \(unescaped: schema) CASCADE", logger: logger) }
    }
}
