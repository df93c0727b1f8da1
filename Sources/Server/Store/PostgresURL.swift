import Foundation

/// `postgres://USER@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require][&search_path=SCHEMA][&pool=N]`, the
/// `--db` of a cluster.
///
/// The password never comes from a flag: it is `$CSANMT_DB_PASSWORD`, else the file `$CSANMT_DB_PASSWORD_FILE`
/// names, else `$PGPASSWORD`. A password inside the URL is accepted only where the URL itself is a secret: the
/// `CSANMT_DB` variable or the config file.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    public enum TLSMode: String, Sendable { case disable, prefer, require }
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// Schema of the tables (tests give each run its own); nil: the server's default (`public`).
    public var searchPath: String?
    /// Connections each replica opens at most.
    public var poolSize: Int

    /// Whether `text` names PostgreSQL (`postgres://` or `postgresql://`) rather than a SQLite file.
    public static func isPostgres(_ text: String) -> Bool { text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") }

    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard Self.isPostgres(text), let c = URLComponents(string: text), let host = c.host, !host.isEmpty else {
            throw StoreError.invalid("'\(Self.redacted(text))' is not a postgres://user@host:port/database URL")
        }
        self.host = host
        port = c.port ?? 5432
        // URLComponents' `user` and `password` are decoded already: decode the encoded forms once, here.
        guard let encodedUser = c.percentEncodedUser, !encodedUser.isEmpty else {
            throw StoreError.invalid("the PostgreSQL URL names no user (postgres://USER@host/db)")
        }
        self.user = encodedUser.removingPercentEncoding ?? encodedUser
        let db = String(c.path.drop(while: { $0 == "/" }))
        guard !db.isEmpty else { throw StoreError.invalid("the PostgreSQL URL names no database (postgres://user@host/DATABASE)") }
        database = db
        tls = .prefer
        poolSize = 10
        for item in c.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: item.value ?? "") else {
                    throw StoreError.invalid("sslmode must be disable, prefer or require")
                }
                tls = mode
            case "search_path":
                guard let v = item.value, StoreRules.isIdentifier(v) else { throw StoreError.invalid("search_path must match [a-z0-9_]{3,64}") }
                searchPath = v
            case "pool":
                guard let v = item.value.flatMap(Int.init), (1...200).contains(v) else { throw StoreError.invalid("pool must be 1 to 200") }
                poolSize = v
            default:
                throw StoreError.invalid("unknown PostgreSQL URL parameter '\(item.name)' (sslmode, search_path, pool)")
            }
        }
        if let p = c.percentEncodedPassword, !p.isEmpty {
            password = p.removingPercentEncoding ?? p
        } else if let p = environment["CSANMT_DB_PASSWORD"], !p.isEmpty {
            password = p
        } else if let file = environment["CSANMT_DB_PASSWORD_FILE"], !file.isEmpty {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw StoreError.invalid("cannot read CSANMT_DB_PASSWORD_FILE \(file)")
            }
            password = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            password = environment["PGPASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        }
    }

    /// Whether the URL text itself holds a password (refused in flags).
    public static func hasPassword(_ text: String) -> Bool { (URLComponents(string: text)?.password ?? "").isEmpty == false }

    /// The URL without its password, for logs.
    public var description: String {
        var query: [String] = []
        if tls != .prefer { query.append("sslmode=\(tls.rawValue)") }
        if let searchPath { query.append("search_path=\(searchPath)") }
        return "postgres://\(user)@\(host):\(port)/\(database)" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
    }

    static func redacted(_ text: String) -> String {
        guard var c = URLComponents(string: text), c.password != nil else { return text }
        c.password = "****"
        return c.string ?? "postgres://…"
    }
}
