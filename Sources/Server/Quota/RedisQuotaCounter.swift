import Foundation

/// What to do when Redis cannot be reached.
public enum QuotaFailMode: String, Sendable, Codable, CaseIterable {
    /// Refuse translations with 503 until Redis is back.
    case failClosed = "fail-closed"
    /// Keep serving: count in this process (on top of the last counts Redis reported) and add those counts to Redis
    /// once it is back.
    case failOpen = "fail-open"
}

/// Daily counters shared by every replica through Redis. Check-and-count is one Lua script, so it is atomic across
/// replicas. Keys are `csanmt:quota:{tenant:day}:requests|characters` (one hash slot per tenant-day, so the script
/// also works on a cluster) and expire two days after they are created.
public final class RedisQuotaCounter: QuotaCounter, @unchecked Sendable {
    public let client: RedisClient
    public let mode: QuotaFailMode
    public var backend: String { client.url.description }
    /// Called when Redis goes down (`false`) or comes back (`true`), with a message; the server logs and audits it.
    private let onStateChange: @Sendable (Bool, String) -> Void

    private let lock = NSLock()
    private var healthy = true
    /// The last counts Redis reported, per "tenant|day": the base for fail-open decisions.
    private var lastSeen: [String: QuotaUsage] = [:]
    /// Counted here while Redis was down; pushed to Redis on recovery.
    private let pending = LocalQuotaCounter()

    static let consumeScript = """
        local r = tonumber(redis.call('GET', KEYS[1]) or '0')
        local c = tonumber(redis.call('GET', KEYS[2]) or '0')
        local rl, cl = tonumber(ARGV[1]), tonumber(ARGV[2])
        local nr, nc = tonumber(ARGV[3]), tonumber(ARGV[4])
        if rl >= 0 and r + nr > rl then return {0, 1, r, c} end
        if cl >= 0 and c + nc > cl then return {0, 2, r, c} end
        r = redis.call('INCRBY', KEYS[1], nr)
        c = redis.call('INCRBY', KEYS[2], nc)
        redis.call('EXPIRE', KEYS[1], ARGV[5])
        redis.call('EXPIRE', KEYS[2], ARGV[5])
        return {1, 0, r, c}
        """
    /// Adds (a refund subtracts) requests and characters. A counter never goes below 0: a refund after the key
    /// expired, or a replay of an old local count, must not leave a negative count that would grant extra quota.
    static let addScript = """
        for i = 1, 2 do
          if redis.call('INCRBY', KEYS[i], ARGV[i]) < 0 then redis.call('SET', KEYS[i], 0) end
          redis.call('EXPIRE', KEYS[i], ARGV[3])
        end
        return 1
        """
    /// Requests, characters and engine milliseconds counted while Redis was down, in one step (floored at 0).
    static let reconcileScript = """
        for i = 1, 3 do
          if redis.call('INCRBY', KEYS[i], ARGV[i]) < 0 then redis.call('SET', KEYS[i], 0) end
          redis.call('EXPIRE', KEYS[i], ARGV[4])
        end
        return 1
        """
    static let ttlSeconds = 2 * 86_400

    /// While Redis is failing, the client fails fast (its breaker) and probes again after its retry interval.
    public init(client: RedisClient, mode: QuotaFailMode, onStateChange: @escaping @Sendable (Bool, String) -> Void = { _, _ in }) {
        self.client = client
        self.mode = mode
        self.onStateChange = onStateChange
    }

    static func keys(_ tenant: String, _ day: String) -> [String] {
        ["csanmt:quota:{\(tenant):\(day)}:requests", "csanmt:quota:{\(tenant):\(day)}:characters"]
    }

    static func engineKey(_ tenant: String, _ day: String) -> String { "csanmt:quota:{\(tenant):\(day)}:engine_ms" }

    public func addEngineTime(_ milliseconds: [String: Int], day: UsageDay) async throws {
        for (tenant, ms) in milliseconds {
            let key = Self.engineKey(tenant, day.key)
            do {
                _ = try await client.command(["EVAL", "redis.call('INCRBY', KEYS[1], ARGV[1]) redis.call('EXPIRE', KEYS[1], ARGV[2]) return 1",
                                              "1", key, String(ms), String(Self.ttlSeconds)])
            } catch let e as RedisError {
                markDown(e.description)
                pending.add(tenant: tenant, day: day, QuotaUsage(engineMilliseconds: ms))
            }
        }
    }

    public func consume(tenant: String, day: UsageDay, requests: Int, characters: Int, limits: QuotaLimits) async throws -> QuotaDecision {
        do {
            try await reconcileIfNeeded()
            let k = Self.keys(tenant, day.key)
            let reply = try await client.command([
                "EVAL", Self.consumeScript, "2", k[0], k[1], String(limits.requests ?? -1), String(limits.characters ?? -1),
                String(requests), String(characters), String(Self.ttlSeconds)])
            markUp()
            guard case .array(let v) = reply, v.count == 4, let ok = v[0].int, let which = v[1].int,
                  let r = v[2].int, let c = v[3].int else { throw RedisError.reply("unexpected quota script reply") }
            let usage = QuotaUsage(requests: r, characters: c)
            remember(tenant, day, usage)
            return ok == 1 ? .allowed(usage) : .rejected(which == 1 ? .requests : .characters, usage)
        } catch let e as RedisError {
            markDown(e.description)
        }
        guard mode == .failOpen else { throw QuotaUnavailable(description: "the quota store (Redis) is unreachable; try again shortly") }
        return pending.consume(tenant: tenant, day: day, add: QuotaUsage(requests: requests, characters: characters), limits: limits,
                               base: base(tenant, day))
    }

    public func refund(tenant: String, day: UsageDay, requests: Int, characters: Int) async throws {
        let delta = QuotaUsage(requests: -requests, characters: -characters)
        let k = Self.keys(tenant, day.key)
        do {
            _ = try await client.command(["EVAL", Self.addScript, "2", k[0], k[1], String(delta.requests),
                                          String(delta.characters), String(Self.ttlSeconds)])
        } catch let e as RedisError {
            markDown(e.description)
            pending.add(tenant: tenant, day: day, delta)   // reconciled with the rest
        }
    }

    public func usage(tenants: [String], day: UsageDay) async throws -> [String: QuotaUsage] {
        guard !tenants.isEmpty else { return [:] }
        do {
            try await reconcileIfNeeded()
            let reply = try await client.command(["MGET"] + tenants.flatMap { Self.keys($0, day.key) + [Self.engineKey($0, day.key)] })
            markUp()
            guard case .array(let v) = reply, v.count == 3 * tenants.count else { throw RedisError.reply("unexpected MGET reply") }
            var result: [String: QuotaUsage] = [:]
            for (i, t) in tenants.enumerated() {
                let u = QuotaUsage(requests: v[3 * i].int ?? 0, characters: v[3 * i + 1].int ?? 0, engineMilliseconds: v[3 * i + 2].int ?? 0)
                if u != QuotaUsage() { result[t] = u }
                remember(t, day, u)
            }
            return result
        } catch let e as RedisError {
            markDown(e.description)
        }
        guard mode == .failOpen else { throw QuotaUnavailable(description: "the quota store (Redis) is unreachable") }
        let local = pending.usage(tenants: tenants, day: day)
        var result: [String: QuotaUsage] = [:]
        for t in tenants {
            let u = base(t, day) + (local[t] ?? QuotaUsage())
            if u != QuotaUsage() { result[t] = u }
        }
        return result
    }

    public func isReachable() async -> Bool {
        let ok = await client.ping()
        if ok { markUp() } else { markDown("PING failed") }
        return ok
    }

    // MARK: Failure handling

    /// Pushes counts taken while Redis was down. On failure they are kept for the next attempt.
    private func reconcileIfNeeded() async throws {
        let deltas = pending.drain()
        for (i, d) in deltas.enumerated() {
            let k = Self.keys(d.tenant, d.day)
            do {
                _ = try await client.command(["EVAL", Self.reconcileScript, "3", k[0], k[1], Self.engineKey(d.tenant, d.day),
                                              String(d.usage.requests), String(d.usage.characters),
                                              String(d.usage.engineMilliseconds), String(Self.ttlSeconds)])
            } catch {
                for rest in deltas[i...] { pending.add(tenant: rest.tenant, dayKey: rest.day, rest.usage) }
                throw error
            }
        }
    }

    private func markUp() {
        lock.lock()
        let changed = !healthy
        healthy = true
        lock.unlock()
        if changed { onStateChange(true, "Redis at \(backend) is reachable again; quota counting is shared again") }
    }

    private func markDown(_ message: String) {
        lock.lock()
        let changed = healthy
        healthy = false
        lock.unlock()
        if changed {
            let what = mode == .failOpen ? "counting in this process until it is back (fail-open)" : "refusing translations until it is back (fail-closed)"
            onStateChange(false, "\(message); \(what)")
        }
    }

    private func remember(_ tenant: String, _ day: UsageDay, _ u: QuotaUsage) {
        lock.lock()
        lastSeen[tenant + "|" + day.key] = u
        lock.unlock()
    }

    private func base(_ tenant: String, _ day: UsageDay) -> QuotaUsage {
        lock.lock()
        defer { lock.unlock() }
        return lastSeen[tenant + "|" + day.key] ?? QuotaUsage()
    }
}
