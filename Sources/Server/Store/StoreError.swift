/// Tenant-store failures, phrased for operators and API clients.
public enum StoreError: Error, Equatable, CustomStringConvertible, Sendable {
    case invalid(String)
    case notFound(String)
    case conflict(String)
    /// A signing secret cannot be decrypted (wrong or missing master key, or an altered row): a server fault.
    case secrets(String)
    /// The store does not answer (a database outage, a lost connection): 503 `store_unavailable`, retried later.
    case unavailable(String)

    public var description: String {
        switch self {
        case let .invalid(m), let .notFound(m), let .conflict(m), let .secrets(m), let .unavailable(m): return m
        }
    }
}
