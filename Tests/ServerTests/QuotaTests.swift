import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

/// Daily quotas: atomic check-and-count, character counting, the 429 contract, the day boundary, `/api/v1/usage`.
@Suite("Quotas")
struct QuotaTests {
    /// 200 concurrent `consume` calls against a quota of 50: exactly 50 allowed.
    static func hammer(_ counter: any QuotaCounter, tenant: String) async throws -> (allowed: Int, rejected: Int) {
        let day = UsageDay(Date())
        let limits = QuotaLimits(requests: 50, characters: nil)
        return try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    if case .allowed = try await counter.consume(tenant: tenant, day: day, requests: 1, characters: 3, limits: limits) { return true }
                    return false
                }
            }
            var allowed = 0, rejected = 0
            for try await ok in group { if ok { allowed += 1 } else { rejected += 1 } }
            return (allowed, rejected)
        }
    }

    @Test("in-process counter: exactly 50 of 200 concurrent requests pass a quota of 50")
    func exactLocal() async throws {
        let r = try await Self.hammer(LocalQuotaCounter(), tenant: "org_a")
        #expect(r.allowed == 50 && r.rejected == 150)
    }

    @Test("Redis counter: exactly 50 of 200 concurrent requests pass, and Redis holds 50",
          .enabled(if: RedisTestServer.available || ProcessInfo.processInfo.environment["CSANMT_TEST_REDIS_URL"] != nil,
                   "redis-server is not installed"))
    func exactRedis() async throws {
        // The Redis that .ci/run started, or a private one.
        let own = ProcessInfo.processInfo.environment["CSANMT_TEST_REDIS_URL"] == nil ? try RedisTestServer() : nil
        let url = ProcessInfo.processInfo.environment["CSANMT_TEST_REDIS_URL"] ?? own?.url ?? ""
        let client = RedisClient(url: try RedisURL(url), size: 8)
        let counter = RedisQuotaCounter(client: client, mode: .failClosed)
        let tenant = "org_\(UInt32.random(in: 0...UInt32.max))"
        let r = try await Self.hammer(counter, tenant: tenant)
        #expect(r.allowed == 50 && r.rejected == 150)
        let stored = try await counter.usage(tenants: [tenant], day: UsageDay(Date()))[tenant]
        #expect(stored == QuotaUsage(requests: 50, characters: 150))
        // The key expires (two days), so dead days clean themselves up.
        let ttl = try await client.command(["TTL", RedisQuotaCounter.keys(tenant, UsageDay(Date()).key)[0]]).int ?? -1
        #expect(ttl > 86_400 && ttl <= 2 * 86_400)
        _ = own
    }

    @Test("over HTTP: 200 concurrent requests against a quota of 50 give exactly 50 × 200 and 150 × 429")
    func exactOverHTTP() async throws {
        let s = try await TestServer()
        let key = try await s.tenant("org_q", dailyRequests: 50)
        try await s.app().test(.router) { client in
            let token = try #require(try await client.token("org_q", key))
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<200 {
                    group.addTask { try await client.postJSON("/api/v1/translate", #"{"text": "句子\#(i)"}"#, token: token).status.code }
                }
                var all: [Int] = []
                for try await c in group { all.append(c) }
                return all
            }
            #expect(statuses.filter { $0 == 200 }.count == 50)
            #expect(statuses.filter { $0 == 429 }.count == 150)
        }
    }

    @Test("a 429 names the limit and the reset, with Retry-After and RateLimit headers; successes carry RateLimit too")
    func tooManyRequestsContract() async throws {
        let s = try await TestServer()
        let key = try await s.tenant("org_q", dailyRequests: 2, dailyCharacters: 1_000)
        try await s.app().test(.router) { client in
            let token = try #require(try await client.token("org_q", key))
            let ok = try await client.postJSON("/api/v1/translate", #"{"text": "你好"}"#, token: token)
            #expect(ok.status == .ok)
            #expect(ok.headers[RateLimitHeaders.policy] == #""requests";q=2;w=86400, "characters";q=1000;w=86400"#)
            let resetIn = UsageDay(s.clock.now).secondsUntilReset(from: s.clock.now)
            #expect(ok.headers[RateLimitHeaders.state] == #""requests";r=1;t=\#(resetIn), "characters";r=998;t=\#(resetIn)"#)
            _ = try await client.postJSON("/api/v1/translate", #"{"text": "你好"}"#, token: token)
            let refused = try await client.postJSON("/api/v1/translate", #"{"text": "你好"}"#, token: token)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] == String(resetIn))
            let error = try #require(refused.json?["error"] as? [String: Any])
            #expect(error["code"] as? String == "quota_exceeded")
            #expect(error["limit"] as? String == "requests")
            #expect(error["reset_at"] as? String == ISO8601DateFormatter().string(from: UsageDay(s.clock.now).resetsAt))
            // A refused request is not counted.
            let usage = try await client.get("/api/v1/usage", token: token).json
            #expect((usage?["requests"] as? [String: Any])?["used"] as? Int == 2)
            #expect((usage?["characters"] as? [String: Any])?["used"] as? Int == 4)
        }
        #expect(s.env.metrics.exposition().contains(#"csanmt_quota_rejections_total{tenant="org_q",limit="requests"} 1"#))
    }

    @Test("character quotas count code points over a whole batch, and a batch that would exceed is refused whole")
    func characterQuotaOnBatches() async throws {
        let s = try await TestServer()
        let key = try await s.tenant("org_c", dailyCharacters: 10)
        try await s.app().test(.router) { client in
            let token = try #require(try await client.token("org_c", key))
            // 3 + 2 + 2 = 7 code points (😀 is one code point though two UTF-16 units).
            let first = try await client.postJSON("/api/v1/translate", #"{"text": ["你好😀", "ab", "再见"]}"#, token: token)
            #expect(first.status == .ok)
            #expect((first.json?["usage"] as? [String: Any])?["characters"] as? Int == 7)
            let tooMuch = try await client.postJSON("/api/v1/translate", #"{"text": ["一二", "三四"]}"#, token: token)
            #expect(tooMuch.status == .tooManyRequests)
            #expect((tooMuch.json?["error"] as? [String: Any])?["limit"] as? String == "characters")
            let fits = try await client.postJSON("/api/v1/translate", #"{"text": ["一二", "三"]}"#, token: token)
            #expect(fits.status == .ok)
            let usage = try await client.get("/api/v1/usage", token: token).json
            #expect((usage?["characters"] as? [String: Any])?["used"] as? Int == 10)
            #expect((usage?["characters"] as? [String: Any])?["limit"] as? Int == 10)
        }
    }

    @Test("counters reset at midnight UTC (injected clock)")
    func dayBoundary() async throws {
        let s = try await TestServer()
        let key = try await s.tenant("org_d", dailyRequests: 1)
        // 1_800_000_000 is 2027-01-15T08:00:00Z; move to 23:59:59 that day.
        let midnight = UsageDay(s.clock.now).resetsAt
        s.clock.advance(midnight.timeIntervalSince(s.clock.now) - 1)
        try await s.app().test(.router) { client in
            let token = try #require(try await client.token("org_d", key))
            #expect(try await client.postJSON("/api/v1/translate", #"{"text": "a"}"#, token: token).status == .ok)
            let refused = try await client.postJSON("/api/v1/translate", #"{"text": "a"}"#, token: token)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] == "1")
            s.clock.advance(1)   // 00:00:00 UTC
            #expect(try await client.postJSON("/api/v1/translate", #"{"text": "a"}"#, token: token).status == .ok)
            let usage = try await client.get("/api/v1/usage", token: token).json
            #expect(usage?["date"] as? String == UsageDay(s.clock.now).key)
            #expect((usage?["requests"] as? [String: Any])?["used"] as? Int == 1)
        }
    }

    @Test("UsageDay: key and reset are UTC")
    func usageDay() {
        let d = UsageDay(Date(timeIntervalSince1970: 1_800_000_000))   // 2027-01-15T08:00:00Z
        #expect(d.key == "2027-01-15")
        #expect(d.resetsAt == Date(timeIntervalSince1970: 1_800_000_000 + 16 * 3600))
        #expect(d.secondsUntilReset(from: Date(timeIntervalSince1970: 1_800_000_000)) == 16 * 3600)
    }

    @Test("usage needs usage:read; an operator sees every tenant's usage")
    func usageRoutes() async throws {
        let s = try await TestServer()
        let plain = try await s.tenant("org_p", scopes: [.translateBasic])
        let admin = try await s.operatorKey()
        try await s.app().test(.router) { client in
            let p = try #require(try await client.token("org_p", plain))
            #expect(try await client.postJSON("/api/v1/translate", #"{"text": "abc"}"#, token: p).status == .ok)
            #expect(try await client.get("/api/v1/usage", token: p).errorCode == "insufficient_scope")
            #expect(try await client.get("/api/v1/admin/usage", token: p).status == .forbidden)
            let a = try #require(try await client.operatorToken("root", admin))
            let all = try #require(try await client.get("/api/v1/admin/usage", token: a).json?["tenants"] as? [[String: Any]])
            let row = try #require(all.first { $0["tenant_id"] as? String == "org_p" })
            #expect(row["requests"] as? Int == 1 && row["characters"] as? Int == 3)
        }
    }
}
