import Foundation

/// Opens the store `--db` names: a `postgres://` URL (a cluster) or a SQLite file (one host).
public enum TenantStores {
    /// Opens and migrates the store at `location`. The master key comes from `$CSANMT_MASTER_KEY`, else
    /// `masterKeyFile`; a SQLite store may also keep it beside the file (created on first use), a PostgreSQL one
    /// may not, since every replica must hold the same key and none of them owns the database. `timeout` bounds
    /// each PostgreSQL operation (a request's; the command line gives its bulk work longer).
    public static func open(_ location: String, masterKeyFile: String?,
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            now: @escaping @Sendable () -> Date = Date.init, migrate: Bool = true,
                            timeout: Duration = .seconds(5)) async throws -> any TenantStore {
        if PostgresURL.isPostgres(location) {
            let url = try PostgresURL(location, environment: environment)
            let keyring = try MasterKeyring.loadShared(environment: environment, file: masterKeyFile)
            return try await PostgresTenantStore.open(url, keyring: keyring, now: now, migrate: migrate, timeout: timeout)
        }
        return try SQLiteTenantStore(path: location,
                                     keyring: try MasterKeyring.load(environment: environment, file: masterKeyFile, databasePath: location),
                                     now: now)
    }
}

extension MasterKeyring {
    /// The key of a shared (PostgreSQL) store: `$CSANMT_MASTER_KEY`, else `file`; never created here.
    public static func loadShared(environment: [String: String] = ProcessInfo.processInfo.environment, file: String?) throws -> MasterKeyring {
        if let text = environment["CSANMT_MASTER_KEY"], !text.isEmpty {
            return try MasterKeyring(base64Keys: text.split(separator: ",").map(String.init))
        }
        guard let file else {
            throw StoreError.invalid("""
                a PostgreSQL store needs the master key that every replica shares: set CSANMT_MASTER_KEY or --master-key-file \
                (make one with `csanmt db new-master-key`)
                """)
        }
        guard let data = FileManager.default.contents(atPath: file) else { throw StoreError.invalid("cannot read the master key file \(file)") }
        do {
            return try parse(fileText: String(decoding: data, as: UTF8.self))
        } catch let StoreError.invalid(message) {
            throw StoreError.invalid("\(file): \(message)")
        }
    }
}
