import Foundation

/// An operator, after an operator token has been verified against the database.
public struct OperatorIdentity: Sendable, Equatable {
    public let operatorID: String
    public let name: String
    public let tokenID: String
    public let tokenExpiry: Date
}

/// Who is calling: a tenant's key (``Identity``, scoped to that tenant) or an operator (every tenant, no
/// translation: an operator has no tenant to bill).
public enum Principal: Sendable, Equatable {
    case tenant(Identity)
    case `operator`(OperatorIdentity)

    public var tokenID: String {
        switch self {
        case .tenant(let i): return i.tokenID
        case .operator(let o): return o.tokenID
        }
    }

    public var tokenExpiry: Date {
        switch self {
        case .tenant(let i): return i.tokenExpiry
        case .operator(let o): return o.tokenExpiry
        }
    }
}

/// Someone allowed to manage one tenant: an operator, or a tenant admin of that tenant.
enum TenantManager: Sendable, Equatable {
    case `operator`(OperatorIdentity)
    case tenantAdmin(Identity)

    var isOperator: Bool { if case .operator = self { return true } else { return false } }
}
