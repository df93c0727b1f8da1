import Foundation

/// Which daily quota.
public enum QuotaKind: String, Sendable, Codable {
    case requests, characters
}

/// A tenant's daily limits (nil = unlimited).
public struct QuotaLimits: Sendable, Equatable {
    public var requests: Int?
    public var characters: Int?
    public init(requests: Int?, characters: Int?) {
        self.requests = requests
        self.characters = characters
    }
    public init(_ tenant: Tenant) { self.init(requests: tenant.dailyRequests, characters: tenant.dailyCharacters) }
}

/// Counts used today.
public struct QuotaUsage: Sendable, Equatable {
    public var requests: Int
    public var characters: Int
    /// Engine time spent on the tenant's sentences, in milliseconds (reported, not limited).
    public var engineMilliseconds: Int
    public init(requests: Int = 0, characters: Int = 0, engineMilliseconds: Int = 0) {
        self.requests = requests
        self.characters = characters
        self.engineMilliseconds = engineMilliseconds
    }
}

/// The outcome of one check-and-count step.
public enum QuotaDecision: Sendable, Equatable {
    /// Counted; `usage` includes this request.
    case allowed(QuotaUsage)
    /// Nothing counted: the request would exceed `kind`.
    case rejected(QuotaKind, QuotaUsage)
}

/// The quota backend could not decide (Redis down under `fail-closed`).
public struct QuotaUnavailable: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// Per-tenant daily counters. `consume` checks both limits and counts the request in one atomic step: with 200
/// concurrent requests against a quota of 50, exactly 50 are allowed.
public protocol QuotaCounter: Sendable {
    /// `local` or `redis://host:port/db`, for logs and `/api/ready`.
    var backend: String { get }
    func consume(tenant: String, day: UsageDay, requests: Int, characters: Int, limits: QuotaLimits) async throws -> QuotaDecision
    /// Takes back a counted request that was refused before any work (busy, over its share).
    func refund(tenant: String, day: UsageDay, requests: Int, characters: Int) async throws
    /// Adds engine milliseconds per tenant to the day's usage.
    func addEngineTime(_ milliseconds: [String: Int], day: UsageDay) async throws
    /// Today's counts for each tenant (absent = zero).
    func usage(tenants: [String], day: UsageDay) async throws -> [String: QuotaUsage]
    /// Whether the backend is reachable (always true in-process).
    func isReachable() async -> Bool
}

extension QuotaUsage {
    /// The check both backends apply: nil when `add` fits, else the limit it would break (requests first).
    func exceeded(adding add: QuotaUsage, limits: QuotaLimits) -> QuotaKind? {
        if let l = limits.requests, requests + add.requests > l { return .requests }
        if let l = limits.characters, characters + add.characters > l { return .characters }
        return nil
    }

    static func + (a: QuotaUsage, b: QuotaUsage) -> QuotaUsage {
        QuotaUsage(requests: a.requests + b.requests, characters: a.characters + b.characters,
                   engineMilliseconds: a.engineMilliseconds + b.engineMilliseconds)
    }
}
