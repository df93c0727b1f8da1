import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

/// Redis killed mid-run, then restarted: fail-closed refuses with 503, fail-open counts locally and reconciles.
@Suite("Redis outages", .enabled(if: RedisTestServer.available, "redis-server is not installed"), .serialized)
struct RedisFailureTests {
    func server(_ mode: QuotaFailMode, _ redis: RedisTestServer) async throws -> (TestServer, RedisQuotaCounter, StateLog) {
        let client = RedisClient(url: try RedisURL(redis.url), timeout: 0.3, retryInterval: 0.1)
        let log = StateLog()
        let counter = RedisQuotaCounter(client: client, mode: mode) { up, message in log.add(up, message) }
        var config = ServerConfig()
        config.redis = redis.url
        config.quotaFailMode = mode.rawValue   // also governs the rate limiter and the token deny-list
        config.cacheEntries = 0
        return (try await TestServer(config: config, quota: counter, redis: client), counter, log)
    }

    @Test("fail-closed: 503 quota_unavailable while Redis is down, served again after it restarts; /api/ready follows")
    func failClosed() async throws {
        let redis = try RedisTestServer()
        let (s, _, log) = try await server(.failClosed, redis)
        let key = try await s.tenant("org_f", dailyRequests: 100)
        try await s.app().test(.router) { client in
            let token = try #require(try await client.token("org_f", key))
            #expect(try await client.postJSON("/api/v1/translate", #"{"text": "a"}"#, token: token).status == .ok)
            redis.stop()
            let down = try await client.postJSON("/api/v1/translate", #"{"text": "a"}"#, token: token)
            #expect(down.status == .serviceUnavailable)
            #expect(down.errorCode == "quota_unavailable")
            #expect(down.headers[.retryAfter] != nil)
            #expect(try await client.get("/api/ready").status == .serviceUnavailable)
            try redis.start()
            try await Task.sleep(for: .milliseconds(150))   // past the retry interval
            #expect(try await client.postJSON("/api/v1/translate", #"{"text": "a"}"#, token: token).status == .ok)
            #expect(try await client.get("/api/ready").status == .ok)
            let usage = try await client.get("/api/v1/usage", token: token).json
            // The restarted Redis is empty: it has only the request made after the restart.
            #expect((usage?["requests"] as? [String: Any])?["used"] as? Int == 1)
        }
        #expect(log.events.map(\.up) == [false, true])
    }

    @Test("fail-open: keeps serving and enforcing limits locally, then adds the local counts to Redis")
    func failOpen() async throws {
        let redis = try RedisTestServer()
        let (s, counter, log) = try await server(.failOpen, redis)
        let key = try await s.tenant("org_o", dailyRequests: 5)
        try await s.app().test(.router) { client in
            let token = try #require(try await client.token("org_o", key))
            for _ in 0..<2 { #expect(try await client.postJSON("/api/v1/translate", #"{"text": "ab"}"#, token: token).status == .ok) }
            redis.stop()
            // 2 counted in Redis before the outage; 3 more fit; the 6th is refused on the local count.
            var statuses: [UInt] = []
            for _ in 0..<4 { statuses.append(UInt(try await client.postJSON("/api/v1/translate", #"{"text": "ab"}"#, token: token).status.code)) }
            #expect(statuses == [200, 200, 200, 429])
            try redis.start()   // empty: the 2 requests before the outage are lost with it
            try await Task.sleep(for: .milliseconds(150))
            // The next call reconciles: the 3 local requests go to Redis, then this one is checked against 3 + 1.
            #expect(try await client.postJSON("/api/v1/translate", #"{"text": "ab"}"#, token: token).status == .ok)
        }
        let stored = try await counter.usage(tenants: ["org_o"], day: UsageDay(s.clock.now))["org_o"]
        #expect(stored == QuotaUsage(requests: 4, characters: 8))
        #expect(log.events.map(\.up) == [false, true])
    }

    @Test("a call that waited for a connection while another found Redis failing fails at once, without trying Redis")
    func breakerRecheckedAfterWaiting() async throws {
        let redis = try RedisTestServer()
        // One connection, a 0.3 s timeout: BLPOP for 2 s outlasts it, so the first call fails as if Redis were down.
        let client = RedisClient(url: try RedisURL(redis.url), size: 1, timeout: 0.3, retryInterval: 30)
        #expect(await client.ping())
        let slow = Task { try await client.command(["BLPOP", "csanmt-test-nothing", "2"]) }
        try await Task.sleep(for: .milliseconds(100))   // the BLPOP holds the only connection
        let queued = Task { try await client.command(["PING"]) }   // waits for it
        await #expect(throws: RedisError.self) { _ = try await slow.value }
        // Failed without reaching Redis (which would answer PONG): normally by the recheck after waiting; on a
        // machine so loaded that it only started after the failure, by the breaker itself.
        await #expect { _ = try await queued.value } throws: {
            "\($0)".contains("failed while this call waited") || "\($0)".contains("failed recently")
        }
        redis.stop()
    }

    @Test("a cache Redis that is full (noeviction) costs cache misses, never a request or a quota check")
    func fullCacheRedis() async throws {
        let counters = try RedisTestServer()
        let cache = try RedisTestServer(["--maxmemory", "1mb", "--maxmemory-policy", "noeviction"])
        // Fill the cache's Redis until it refuses writes.
        let filler = RedisClient(url: try RedisURL(cache.url))
        let blob = String(repeating: "x", count: 64 << 10)
        var refused = false
        for i in 0..<64 where !refused {
            do {
                if case .error = try await filler.command(["SET", "filler:\(i)", blob]) { refused = true }
            } catch RedisError.reply(let message) {
                refused = message.contains("OOM")
            }
        }
        #expect(refused, "the cache Redis is full")
        var config = ServerConfig()
        config.redis = counters.url
        config.redisCache = cache.url
        config.cacheEntries = 0   // every lookup goes to Redis
        let s = try await TestServer(config: config)
        let key = try await s.tenant("org_c", dailyRequests: 25)
        try await s.app().test(.router) { client in
            let token = try #require(try await client.token("org_c", key))
            var statuses: [UInt] = []
            for i in 0..<30 {
                statuses.append(UInt(try await client.postJSON("/api/v1/translate", #"{"text": "t\#(i)"}"#, token: token).status.code))
            }
            #expect(statuses == Array(repeating: 200, count: 25) + Array(repeating: 429, count: 5), "\(statuses)")
        }
        let day = UsageDay(s.clock.now)
        let usage = try await RedisQuotaCounter(client: RedisClient(url: try RedisURL(counters.url)), mode: .failClosed) { _, _ in }
            .usage(tenants: ["org_c"], day: day)["org_c"]
        #expect(usage?.requests == 25, "counted in the counters' Redis")
        counters.stop()
        cache.stop()
    }
}

final class StateLog: @unchecked Sendable {
    private let lock = NSLock()
    private var _events: [(up: Bool, message: String)] = []
    func add(_ up: Bool, _ m: String) { lock.lock(); _events.append((up, m)); lock.unlock() }
    var events: [(up: Bool, message: String)] { lock.lock(); defer { lock.unlock() }; return _events }
}
