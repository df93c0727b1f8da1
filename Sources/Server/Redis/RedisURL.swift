import Foundation

/// Where Redis is: `redis://[[user]:password@]host[:port][/db]`. The password comes from the URL or from
/// `CSANMT_REDIS_PASSWORD` (so it never has to appear in a flag).
public struct RedisURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var database: Int
    public var username: String?
    public var password: String?

    /// Parses the URL; throws naming what is wrong.
    public init(_ text: String) throws {
        guard let c = URLComponents(string: text), c.scheme == "redis", let host = c.host, !host.isEmpty else {
            throw StoreError.invalid("redis URL '\(text)' must look like redis://host:6379[/db]")
        }
        self.host = host
        port = c.port ?? 6379
        guard (1...65_535).contains(port) else { throw StoreError.invalid("redis URL '\(text)': bad port") }
        let path = c.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard path.isEmpty || Int(path) != nil else { throw StoreError.invalid("redis URL '\(text)': the path must be a database number") }
        database = Int(path) ?? 0
        username = c.user.flatMap { $0.isEmpty ? nil : $0 }
        password = c.password
    }

    /// The URL without the password (for logs).
    public var description: String { "redis://\(host):\(port)/\(database)" }
}
