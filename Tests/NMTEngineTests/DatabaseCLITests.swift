import Foundation
import Testing

/// `csanmt db migrate` and `csanmt db copy`, run as an operator would, against the PostgreSQL of
/// `CSANMT_TEST_POSTGRES_URL` (a schema of their own).
@Suite("Database commands")
struct DatabaseCLITests {
    static let postgresURL = ProcessInfo.processInfo.environment["CSANMT_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

    /// The environment of a command: this process's, without a master key unless given.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["CSANMT_MASTER_KEY"] = nil
        env["CSANMT_AUDIT_LOG"] = nil
        return env.merging(extra) { $1 }
    }

    /// A new schema on the test server; returns the URL that uses it.
    static func schemaURL() throws -> String {
        let schema = "csanmt_cli_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        let base = try #require(URLComponents(string: postgresURL!))
        let psql = ["/usr/bin/psql"] + ["-h", base.host ?? "127.0.0.1", "-p", String(base.port ?? 5432), "-U", base.user ?? "csanmt",
                                        "-d", String(base.path.dropFirst()), "-qc", "CREATE SCHEMA \(schema)"]
        let p = Process()
        p.executableURL = URL(fileURLWithPath: psql[0])
        p.arguments = Array(psql.dropFirst())
        var env = ProcessInfo.processInfo.environment
        env["PGPASSWORD"] = env["CSANMT_DB_PASSWORD"]
        p.environment = env
        try p.run()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "psql could not create the schema")
        return postgresURL! + (postgresURL!.contains("?") ? "&" : "?") + "search_path=\(schema)"
    }

    @Test("a PostgreSQL password in a flag is refused, and not echoed")
    func passwordInFlag() async throws { try await offCooperativePool { try Self.passwordInFlagBody() } }

    static func passwordInFlagBody() throws {
        for args in [["tenant", "list", "--db", "postgres://csanmt:hunter2@127.0.0.1:1/csanmt"],
                     ["db", "migrate", "--db", "postgres://csanmt:hunter2@127.0.0.1:1/csanmt"],
                     ["serve", "--db", "postgres://csanmt:hunter2@127.0.0.1:1/csanmt"]] {
            let r = try CLITests.run("csanmt", args, environment: Self.environment())
            #expect(r.status != 0 && r.stderr.contains("CSANMT_DB_PASSWORD") && !(r.stderr + r.stdout).contains("hunter2"), "\(args): \(r.stderr)")
        }
    }

    @Test("db migrate, then db copy moves a SQLite deployment into PostgreSQL; a second copy and a wrong master key are refused",
          .enabled(if: postgresURL != nil, "CSANMT_TEST_POSTGRES_URL is not set"))
    func migrateAndCopy() async throws { try await offCooperativePool { try Self.migrateAndCopyBody() } }

    /// The commands wait for child processes: off the shared pool, so the suites beside them keep their threads.
    static func migrateAndCopyBody() throws {
        let dir = Fixtures.temporaryDirectory()
        let sqlite = dir.appendingPathComponent("one-host.sqlite").path
        let env = Self.environment()
        #expect(try CLITests.run("csanmt", ["tenant", "create", "--db", sqlite, "--id", "org_a", "--name", "A", "--daily-requests", "10"],
                                 environment: env).status == 0)
        let key = try CLITests.run("csanmt", ["key", "create", "--db", sqlite, "--tenant", "org_a"], environment: env)
        #expect(key.status == 0)
        #expect(try CLITests.run("csanmt", ["operator", "create", "--db", sqlite, "--id", "root", "--name", "Root"], environment: env).status == 0)

        let target = try Self.schemaURL()
        let migrated = try CLITests.run("csanmt", ["db", "migrate", "--db", target], environment: env)
        #expect(migrated.status == 0 && migrated.stdout.contains("applied migration(s) 1, 2"), "\(migrated.stdout)\(migrated.stderr)")
        #expect(try CLITests.run("csanmt", ["db", "migrate", "--db", target], environment: env).stdout.contains("up to date"))

        // A master key other than the one that sealed the secrets: refused before anything is written.
        let otherKey = try CLITests.run("csanmt", ["db", "new-master-key"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let wrong = try CLITests.run("csanmt", ["db", "copy", "--from", sqlite, "--to", target],
                                     environment: Self.environment(["CSANMT_MASTER_KEY": otherKey]))
        #expect(wrong.status != 0, "\(wrong.stdout)")

        let copied = try CLITests.run("csanmt", ["db", "copy", "--from", sqlite, "--to", target, "--master-key-file", sqlite + ".master-key"],
                                      environment: env)
        #expect(copied.status == 0 && copied.stdout.contains("1 tenant(s), 1 key(s), 1 signing key(s), 1 operator(s)"),
                "\(copied.stdout)\(copied.stderr)")
        let keyring = ["--master-key-file", sqlite + ".master-key"]
        let listed = try CLITests.run("csanmt", ["tenant", "list", "--db", target] + keyring, environment: env)
        #expect(listed.status == 0 && listed.stdout.contains("org_a"), "\(listed.stdout)\(listed.stderr)")
        let again = try CLITests.run("csanmt", ["db", "copy", "--from", sqlite, "--to", target, "--master-key-file", sqlite + ".master-key"],
                                     environment: env)
        #expect(again.status != 0 && again.stderr.contains("empty store"), "\(again.stderr)")
        let secrets = try CLITests.run("csanmt", ["db", "secrets", "--db", target] + keyring, environment: env)
        #expect(secrets.status == 0 && secrets.stdout.contains(": 2 secret(s)"), "\(secrets.stdout)\(secrets.stderr)")
    }
}
