import ArgumentParser
import Foundation
import Server

extension DatabaseCommand {
    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply the pending schema migrations of a tenant database (SQLite file or postgres:// URL).",
            discussion: """
                `serve` migrates at start-up too; run this before rolling out a release to replicas you start with \
                migrations already applied. Replicas starting together never race: PostgreSQL migrations run under an \
                advisory lock.
                  csanmt db migrate --db postgres://csanmt@db.internal:5432/csanmt   # password: $CSANMT_DB_PASSWORD
                """)
        @Option(name: .long, help: ArgumentHelp("Tenant database: a SQLite file or postgres://USER@HOST:PORT/DB.", valueName: "PATH|URL"))
        var db: String

        func run() async throws {
            try refusePasswordInFlag(db)
            do {
                if PostgresURL.isPostgres(db) {
                    let url = try PostgresURL(db)
                    let applied = try await PostgresTenantStore.migrate(url)
                    print(applied.isEmpty ? "\(url): up to date (schema version \(PostgresTenantStore.schemaVersion))"
                                          : "\(url): applied migration(s) \(applied.map(String.init).joined(separator: ", "))")
                } else {
                    let store = try await TenantStores.open(db, masterKeyFile: nil)
                    print("\(store.location): up to date")
                }
            } catch {
                throw CLIError(message: "\(error)")
            }
        }
    }

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy every tenant, key, signing secret and operator from a SQLite file into an empty PostgreSQL database.",
            discussion: """
                Moves a one-host deployment to a cluster. Secrets are copied as stored (encrypted), so the replicas must \
                use the master key that encrypted them: pass it as $CSANMT_MASTER_KEY or --master-key-file (for a \
                SQLite store that kept its key beside the file, that is FILE.master-key). The copy is checked before \
                anything is written: every secret must open with that key. Stop the old server first, so that no \
                change is made after the copy; usage counters live in Redis and are not copied.
                  CSANMT_DB_PASSWORD=… csanmt db copy --from csanmt.sqlite --to postgres://csanmt@db.internal/csanmt \\
                      --master-key-file csanmt.sqlite.master-key
                """)
        @Option(name: .long, help: ArgumentHelp("The SQLite file to copy from (left unchanged).", valueName: "FILE"))
        var from: String
        @Option(name: .long, help: ArgumentHelp("The PostgreSQL database to copy into (migrated, must hold no tenant or operator).", valueName: "URL"))
        var to: String
        @Option(name: .customLong("master-key-file"), help: ArgumentHelp(
            "Master key file of the source (default: $CSANMT_MASTER_KEY, else FROM.master-key).", valueName: "FILE"))
        var masterKeyFile: String?

        func run() async throws {
            guard PostgresURL.isPostgres(to) else { throw CLIError(message: "--to must be a postgres:// URL") }
            guard !PostgresURL.isPostgres(from), FileManager.default.fileExists(atPath: from) else {
                throw CLIError(message: "--from must be an existing SQLite file")
            }
            try refusePasswordInFlag(to)
            do {
                let source = try await TenantStores.open(from, masterKeyFile: masterKeyFile)
                // One transaction for the whole copy: give it time (a request's deadline is 5 s).
                let target = try await PostgresTenantStore.open(try PostgresURL(to), keyring: source.keyring, timeout: .seconds(3_600))
                do {
                    let copied = try await target.copy(from: source)
                    await target.close()
                    print("copied \(copied.summary) from \(from) into \(target.location), read back identical")
                    print("start the replicas with the same master key (id \(source.keyring.currentID)) in CSANMT_MASTER_KEY or --master-key-file")
                } catch {
                    await target.close()
                    throw error
                }
            } catch let e as CLIError {
                throw e
            } catch {
                throw CLIError(message: "\(error)")
            }
        }
    }
}
