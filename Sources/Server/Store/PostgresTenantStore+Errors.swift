import Foundation
import Logging
import PostgresNIO

/// How database failures reach callers: as ``StoreError``s, and whether they trip the breaker.
extension PostgresTenantStore {
    /// What a caller should see of a database failure: its own ``StoreError`` as thrown, a lost or refused
    /// connection, a timeout or an overloaded server as `unavailable`, a duplicate key as `conflict`; anything else
    /// (a bug: a row that does not decode, a statement the server refuses) as it is, which is a 500.
    static func storeError(_ error: any Error) -> any Error {
        let error = underlying(error)
        if error is StoreError || error is CancellationError { return error }
        if let e = error as? PSQLError {
            guard let state = e.serverInfo?[.sqlState] else {
                return StoreError.unavailable("the tenant database is unavailable (\(e.code)); retry shortly")
            }
            if state == "23505" { return StoreError.conflict("that id is taken") }
            // 08: connection exceptions; 57: shutdown, statement timeout; 53: out of resources; 55P03: lock timeout.
            if state.hasPrefix("08") || state.hasPrefix("57") || state.hasPrefix("53") || state == "55P03" {
                return StoreError.unavailable("the tenant database is unavailable or busy (\(state)); retry shortly")
            }
            return error
        }
        if isNIOError(error) { return StoreError.unavailable("the tenant database is unavailable; retry shortly") }
        return error
    }

    /// Whether `error` says the database cannot be reached (as opposed to answering slowly or refusing a statement).
    static func isConnectionFailure(_ error: any Error) -> Bool {
        let error = underlying(error)
        if let e = error as? PSQLError {
            guard let state = e.serverInfo?[.sqlState] else { return true }
            return state.hasPrefix("08") || state.hasPrefix("57P")
        }
        if case StoreError.unavailable = error { return true }   // the deadline: no connection in time
        return isNIOError(error)
    }

    /// The error inside a failed transaction: the closure's, else the commit's, begin's or rollback's.
    static func underlying(_ error: any Error) -> any Error {
        guard let e = error as? PostgresTransactionError else { return error }
        return underlying(e.closureError ?? e.commitError ?? e.beginError ?? e.rollbackError ?? StoreError.unavailable("transaction failed"))
    }

    /// Connection set-up failures (refused, reset, TLS) reach us as SwiftNIO's errors.
    static func isNIOError(_ error: any Error) -> Bool {
        let type = String(reflecting: Swift.type(of: error))
        return type.hasPrefix("NIOCore.") || type.hasPrefix("NIOPosix.") || type.hasPrefix("NIOSSL.")
    }
}
