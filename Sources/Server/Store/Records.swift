import Foundation
import GRDB

/// A tenant: one team sharing the service, with its own credentials, scopes, quotas and IP allow-list.
public struct Tenant: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "tenants"
    /// `[a-z0-9_]{3,64}`, e.g. `org_mkt_001`.
    public var id: String
    public var name: String
    public var enabled: Bool
    public var scopes: [Scope]
    /// Daily request quota (nil = unlimited).
    public var dailyRequests: Int?
    /// Daily character quota in Unicode code points (nil = unlimited).
    public var dailyCharacters: Int?
    /// CIDRs allowed to call; empty = any address.
    public var allowedIPs: [String]
    /// Scheduling weight and short-window limits; unset fields take the server's defaults.
    public var limits: TenantLimits
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, name, enabled, scopes, limits
        case dailyRequests = "daily_requests", dailyCharacters = "daily_characters", allowedIPs = "allowed_ips"
        case createdAt = "created_at", updatedAt = "updated_at"
    }
}

/// An API key. Only its SHA-256 is stored; the plaintext is shown once, at creation.
public struct APIKey: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "api_keys"
    /// Public identifier, e.g. `key_3kT9…`; appears in tokens and audit lines.
    public var id: String
    public var tenantId: String
    /// The first characters of the key (`csk_ab12…`), so operators can tell keys apart.
    public var prefix: String
    /// Hex SHA-256 of the full key.
    public var hash: String
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var expiresAt: Date?
    public var revokedAt: Date?
    /// Rate limits of this key on top of its tenant's.
    public var limits: KeyLimits
    /// What this key may do: a subset of its tenant's scopes, chosen at creation (nil: all of the tenant's).
    public var scopes: [Scope]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, prefix, hash, limits, scopes
        case tenantId = "tenant_id", createdAt = "created_at", lastUsedAt = "last_used_at"
        case expiresAt = "expires_at", revokedAt = "revoked_at"
    }

    /// The scopes a token of this key carries: the key's own, within the tenant's as they are now.
    public func grantedScopes(of tenant: Tenant) -> Set<Scope> {
        Set(scopes ?? tenant.scopes).intersection(tenant.scopes)
    }

    /// Usable at `now`: neither revoked nor expired.
    public func isActive(at now: Date) -> Bool { revokedAt == nil && (expiresAt.map { now < $0 } ?? true) }
}

/// A per-tenant HS256 signing secret, named by `kid`. Rotation retires the old one; it keeps verifying tokens
/// for a grace period.
public struct SigningKey: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "signing_keys"
    public var kid: String
    public var tenantId: String
    public var secret: Data
    public var createdAt: Date
    public var retiredAt: Date?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kid, secret
        case tenantId = "tenant_id", createdAt = "created_at", retiredAt = "retired_at"
    }
}

/// An operator: a global administrator of the service, with credentials of its own (not a tenant's key). Only the
/// CLI on the host creates operators (`csanmt operator create`); see docs/server.md, "Operators and tenant admins".
public struct Operator: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "operators"
    /// `[a-z0-9_]{3,64}`, e.g. `alice`.
    public var id: String
    public var name: String
    /// The first characters of the operator key (`cso_ab12…`).
    public var prefix: String
    /// Hex SHA-256 of the operator key.
    public var hash: String
    public var createdAt: Date
    public var lastUsedAt: Date?
    /// A disabled operator can neither get a token nor use one it holds.
    public var disabledAt: Date?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, name, prefix, hash
        case createdAt = "created_at", lastUsedAt = "last_used_at", disabledAt = "disabled_at"
    }
}

/// The HS256 secret that signs one operator's tokens (`kid` starts with `ok_`). Resetting the operator's key
/// replaces it, which ends every token the operator holds.
public struct OperatorSigningKey: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "operator_signing_keys"
    public var kid: String
    public var operatorId: String
    public var secret: Data
    public var createdAt: Date

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kid, secret
        case operatorId = "operator_id", createdAt = "created_at"
    }
}
