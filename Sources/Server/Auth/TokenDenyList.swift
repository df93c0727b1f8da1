import Foundation

/// Token ids (`jti`) revoked before they expire (sign-out). An entry lives until its token's `exp`: after that the
/// token is refused anyway.
public protocol TokenDenyList: Sendable {
    func deny(_ jti: String, until expiry: Date) async throws
    func isDenied(_ jti: String) async throws -> Bool
}

/// For a single replica without Redis.
public final class LocalTokenDenyList: TokenDenyList, @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: Date] = [:]
    private let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date = Date.init) { self.now = now }

    public func deny(_ jti: String, until expiry: Date) {
        lock.lock()
        defer { lock.unlock() }
        let t = now()
        if entries.count > 10_000 { entries = entries.filter { $0.value > t } }   // expired tokens need no entry
        entries[jti] = expiry
    }

    public func isDenied(_ jti: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let expiry = entries[jti] else { return false }
        return expiry > now()
    }
}

/// Shared by every replica: `csanmt:revoked:<jti>` with the token's remaining lifetime as its expiry. When Redis
/// cannot be reached the quota fail mode applies: fail-closed refuses with 503 `quota_unavailable` (a revoked
/// token must not come back to life); fail-open consults the revocations this replica saw.
public final class RedisTokenDenyList: TokenDenyList, @unchecked Sendable {
    let client: RedisClient
    let mode: QuotaFailMode
    private let local: LocalTokenDenyList
    private let now: @Sendable () -> Date

    public init(client: RedisClient, mode: QuotaFailMode, now: @escaping @Sendable () -> Date = Date.init) {
        self.client = client
        self.mode = mode
        self.now = now
        local = LocalTokenDenyList(now: now)
    }

    static func key(_ jti: String) -> String { "csanmt:revoked:\(jti)" }

    public func deny(_ jti: String, until expiry: Date) async throws {
        local.deny(jti, until: expiry)
        let seconds = max(1, Int(expiry.timeIntervalSince(now()).rounded(.up)))
        do {
            _ = try await client.command(["SET", Self.key(jti), "1", "EX", String(seconds)])
        } catch is RedisError {
            throw QuotaUnavailable(description: "the token store (Redis) is unreachable; the sign-out was not shared, try again")
        }
    }

    public func isDenied(_ jti: String) async throws -> Bool {
        do {
            return try await client.command(["EXISTS", Self.key(jti)]).int == 1
        } catch is RedisError {
            guard mode == .failOpen else { throw QuotaUnavailable(description: "the token store (Redis) is unreachable; try again shortly") }
            return local.isDenied(jti)
        }
    }
}
