import Foundation

/// One short-window limit, enforced by GCRA (the generic cell rate algorithm: a token bucket kept as one
/// timestamp, the "theoretical arrival time"). `perSecond` units flow back per second; `burst` units may be spent
/// at once. A request costs `cost` units (1 for request limits, its characters for character limits).
public struct RateRule: Sendable, Equatable {
    /// Storage key, e.g. `org_a:tenant:requests`; every rule of one request shares the tenant's hash slot in Redis.
    public let key: String
    /// What the limit is, for the error and the `RateLimit` headers: `tenant-requests`, `key-characters`, ...
    public let name: String
    public let perSecond: Double
    public let burst: Double
    public let cost: Double
    /// The limit as people state it: `quota` units per `window` seconds (`RateLimit-Policy`).
    public let quota: Int
    public let window: Int

    public init(key: String, name: String, perSecond: Double, burst: Double, cost: Double, quota: Int, window: Int) {
        self.key = key
        self.name = name
        self.perSecond = perSecond
        self.burst = burst
        self.cost = cost
        self.quota = quota
        self.window = window
    }

    /// The rules of one request: the tenant's and, where set, the key's, for requests per second and characters
    /// per minute. Unlimited limits make no rule.
    public static func rules(tenant: String, limits: EffectiveLimits, keyID: String, keyLimits: KeyLimits,
                             characters: Int) -> [RateRule] {
        var rules: [RateRule] = []
        func add(_ scope: String, _ id: String, requests: Int?, burst: Int?, charactersPerMinute: Int?) {
            if let rps = requests {
                let b = burst ?? 2 * rps
                rules.append(RateRule(key: "\(tenant):\(id):requests", name: "\(scope)-requests", perSecond: Double(rps),
                                      burst: Double(b), cost: 1, quota: rps, window: 1))
            }
            if let cpm = charactersPerMinute, characters > 0 {
                rules.append(RateRule(key: "\(tenant):\(id):characters", name: "\(scope)-characters", perSecond: Double(cpm) / 60,
                                      burst: Double(cpm), cost: Double(characters), quota: cpm, window: 60))
            }
        }
        add("tenant", "tenant", requests: limits.requestsPerSecond, burst: limits.burst, charactersPerMinute: limits.charactersPerMinute)
        add("key", "key:\(keyID)", requests: keyLimits.requestsPerSecond, burst: keyLimits.burst,
            charactersPerMinute: keyLimits.charactersPerMinute)
        return rules
    }
}

/// The outcome of checking a request's rules: all are charged, or none.
public enum RateDecision: Sendable, Equatable {
    case allowed
    /// `rule` would be exceeded; `retryAfter` seconds until it would pass (nil: the request is larger than the
    /// whole burst, so it never will).
    case limited(RateRule, retryAfter: Double?)
}

/// Short-window rate limits. `check` tests every rule and charges them all in one atomic step, so 200 concurrent
/// requests against a burst of 50 let exactly 50 through (on Redis: across every replica).
public protocol RateLimiter: Sendable {
    var backend: String { get }
    func check(_ rules: [RateRule]) async throws -> RateDecision
}

/// GCRA arithmetic shared by the in-process limiter and the tests (the Redis script does the same in Lua).
enum GCRA {
    /// `tat` is the stored theoretical arrival time (nil = never seen). Returns the new TAT when allowed.
    static func step(tat: Double?, now: Double, rule: RateRule) -> (newTAT: Double?, retryAfter: Double?) {
        let interval = 1 / rule.perSecond
        let limit = rule.burst * interval
        if rule.cost > rule.burst { return (nil, nil) }
        let newTAT = max(tat ?? now, now) + rule.cost * interval
        if newTAT - now <= limit + 1e-9 { return (newTAT, 0) }
        return (nil, newTAT - limit - now)
    }
}

/// Rate limits for a single replica without Redis (each replica would otherwise allow the full rate).
public final class LocalRateLimiter: RateLimiter, @unchecked Sendable {
    public let backend = "local"
    private let lock = NSLock()
    private var tats: [String: Double] = [:]
    private let clock: @Sendable () -> Double

    /// `clock`: seconds on a monotonic scale (tests move it by hand).
    public init(clock: @escaping @Sendable () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }) {
        self.clock = clock
    }

    public func check(_ rules: [RateRule]) -> RateDecision {
        lock.lock()
        defer { lock.unlock() }
        let now = clock()
        if tats.count > 100_000 { tats = tats.filter { $0.value > now } }   // buckets that have refilled hold nothing
        var updates: [(String, Double)] = []
        for rule in rules {
            let (newTAT, retry) = GCRA.step(tat: tats[rule.key], now: now, rule: rule)
            guard let newTAT else { return .limited(rule, retryAfter: retry) }
            updates.append((rule.key, newTAT))
        }
        for (k, v) in updates { tats[k] = v }
        return .allowed
    }
}
