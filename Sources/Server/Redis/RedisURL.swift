import Foundation

/// Where Redis is: `redis://[[user]:password@]host[:port][/db]`. Pass a URL with a password through the
/// `CSANMT_REDIS` environment variable or the config file, not a flag. Error messages never repeat the password.
public struct RedisURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var database: Int
    public var username: String?
    public var password: String?

    /// Parses the URL; throws naming what is wrong.
    public init(_ text: String) throws {
        if text.lowercased().hasPrefix("rediss://") {
            throw StoreError.invalid("rediss:// (Redis over TLS) is not supported: Debian's hiredis 0.14 has no TLS; keep Redis on a private network or put a TLS tunnel in front of it (docs/robustness.md)")
        }
        guard let c = URLComponents(string: text), c.scheme == "redis", let host = c.host, !host.isEmpty else {
            throw StoreError.invalid("the Redis URL must look like redis://[:password@]host:6379[/db]")
        }
        self.host = host
        port = c.port ?? 6379
        guard (1...65_535).contains(port) else { throw StoreError.invalid("the Redis URL has a bad port") }
        let path = c.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard path.isEmpty || Int(path) != nil else { throw StoreError.invalid("the Redis URL's path must be a database number") }
        database = Int(path) ?? 0
        username = c.user.flatMap { $0.isEmpty ? nil : $0 }
        password = c.password
    }

    /// The URL without the password (for logs).
    public var description: String { "redis://\(host):\(port)/\(database)" }
}
