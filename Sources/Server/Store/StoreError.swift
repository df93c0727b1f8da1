/// Tenant-store failures, phrased for operators and API clients.
public enum StoreError: Error, Equatable, CustomStringConvertible, Sendable {
    case invalid(String)
    case notFound(String)
    case conflict(String)

    public var description: String {
        switch self {
        case let .invalid(m), let .notFound(m), let .conflict(m): return m
        }
    }
}
