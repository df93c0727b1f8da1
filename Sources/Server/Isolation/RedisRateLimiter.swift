import Foundation

/// Rate limits shared by every replica: the GCRA of ``LocalRateLimiter`` as one Lua script over the request's
/// rules, timed by the Redis server's clock (`TIME`), so replicas with skewed clocks still agree. Keys are
/// `csanmt:rate:{tenant}:...`: one hash slot per tenant, so the script also runs on a cluster.
///
/// When Redis cannot be reached the quota counter's fail mode applies: fail-closed refuses with 503
/// `quota_unavailable`; fail-open falls back to this replica's own limiter.
public final class RedisRateLimiter: RateLimiter, @unchecked Sendable {
    public let client: RedisClient
    public let mode: QuotaFailMode
    public var backend: String { client.url.description }
    private let fallback = LocalRateLimiter()

    // Numbers cross the Lua boundary as strings: Redis truncates Lua numbers in replies to integers.
    static let script = """
        pcall(redis.replicate_commands)   -- effects replication (needed before Redis 5 for TIME then writes)
        local t = redis.call('TIME')
        local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
        local tats = {}
        for i = 1, #KEYS do
          local per, burst, cost = tonumber(ARGV[3*i-2]), tonumber(ARGV[3*i-1]), tonumber(ARGV[3*i])
          if cost > burst then return {0, i, '-1'} end
          local interval = 1 / per
          local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
          if tat < now then tat = now end
          local new = tat + cost * interval
          if new - now > burst * interval + 1e-9 then return {0, i, tostring(new - burst * interval - now)} end
          tats[i] = new
        end
        for i = 1, #KEYS do
          redis.call('SET', KEYS[i], string.format('%.6f', tats[i]), 'PX', math.ceil((tats[i] - now) * 1000) + 1000)
        end
        return {1, 0, '0'}
        """

    public init(client: RedisClient, mode: QuotaFailMode) {
        self.client = client
        self.mode = mode
    }

    static func key(_ rule: RateRule) -> String {
        // rule.key is "tenant:rest"; the tenant part becomes the hash tag.
        let parts = rule.key.split(separator: ":", maxSplits: 1).map(String.init)
        return "csanmt:rate:{\(parts[0])}:\(parts.count > 1 ? parts[1] : "")"
    }

    public func check(_ rules: [RateRule]) async throws -> RateDecision {
        guard !rules.isEmpty else { return .allowed }
        var command = ["EVAL", Self.script, String(rules.count)] + rules.map(Self.key)
        for r in rules { command += [String(r.perSecond), String(r.burst), String(r.cost)] }
        do {
            let reply = try await client.command(command)
            guard case .array(let v) = reply, v.count == 3, let ok = v[0].int, let index = v[1].int else {
                throw RedisError.reply("unexpected rate-limit script reply")
            }
            if ok == 1 { return .allowed }
            guard (1...rules.count).contains(index) else { throw RedisError.reply("rate-limit script named rule \(index)") }
            var retry: Double?
            if case .string(let text) = v[2] { retry = Double(text) }
            return .limited(rules[index - 1], retryAfter: (retry ?? -1) < 0 ? nil : retry)
        } catch is RedisError {
            guard mode == .failOpen else {
                throw QuotaUnavailable(description: "the rate-limit store (Redis) is unreachable; try again shortly")
            }
            return fallback.check(rules)
        }
    }
}
